package dev.trellis.control;

import dev.trellis.control.push.Environment;
import dev.trellis.control.push.PushContext;
import dev.trellis.control.push.PushRequest;
import dev.trellis.control.registry.RegistryEvent;
import dev.trellis.control.xds.Debouncer;
import dev.trellis.control.xds.DiscoveryServer;
import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The running control plane: an {@link Environment} of registries and config, the current {@link PushContext}, a
 * debouncer turning change events into pushes, and the ADS server on a gRPC port.
 */
public final class ControlPlane implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ControlPlane.class.getName());

    private final Environment env;
    private final DiscoveryServer discovery;
    private final Debouncer debouncer;
    private final ScheduledExecutorService timer;
    private volatile PushContext current;
    private Server server;

    public ControlPlane(Environment env, Duration debounceAfter, Duration debounceMax) {
        this.env = env;
        this.current = env.snapshot();
        this.discovery = new DiscoveryServer(() -> current);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "trellis-push");
            t.setDaemon(true);
            return t;
        });
        this.debouncer = new Debouncer(debounceAfter, debounceMax, timer, this::push);
        env.registry().addListener(this::onRegistryEvent);
    }

    private void onRegistryEvent(RegistryEvent e) {
        debouncer.submit(
                e.kind() == RegistryEvent.Kind.SERVICES
                        ? PushRequest.full("service")
                        : PushRequest.endpoints(e.hostnames()));
    }

    /** Something in the routing config changed: push everything (debounced). */
    public void configChanged() {
        debouncer.submit(PushRequest.full("config"));
    }

    public void submit(PushRequest request) {
        debouncer.submit(request);
    }

    private void push(PushRequest request) {
        try {
            PushContext next = env.snapshot();
            current = next;
            LOG.fine(() -> "push " + next.version() + " " + request);
            discovery.push(next, request);
        } catch (RuntimeException e) {
            // A bug must not stop future pushes: the debouncer keeps running; the last good context keeps serving.
            LOG.log(java.util.logging.Level.SEVERE, "push failed; keeping the previous config", e);
        }
    }

    /** Starts the ADS server on {@code address} (port 0 picks a free port). */
    public ControlPlane start(InetSocketAddress address) throws IOException {
        // Like istiod waiting for its caches to sync: the first proxies are answered from the config loaded so far,
        // not from the empty snapshot taken at construction, which the debounced push would only replace later. Taken
        // on the push thread, so it cannot overtake a newer push.
        try {
            timer.submit(() -> current = env.snapshot()).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while taking the initial snapshot", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("the initial snapshot failed", e.getCause());
        }
        server = NettyServerBuilder.forAddress(address)
                .addService(discovery)
                .permitKeepAliveWithoutCalls(true)
                .permitKeepAliveTime(5, TimeUnit.SECONDS)
                .build()
                .start();
        return this;
    }

    public int port() {
        return server.getPort();
    }

    public PushContext current() {
        return current;
    }

    public Environment environment() {
        return env;
    }

    public DiscoveryServer discovery() {
        return discovery;
    }

    @Override
    public void close() {
        if (server != null) {
            server.shutdownNow();
            try {
                server.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        timer.shutdownNow();
    }
}
