package dev.trellis.proxy.server;

import dev.trellis.proxy.admin.AdminServer;
import dev.trellis.proxy.cluster.ClusterManager;
import dev.trellis.proxy.config.ConfigException;
import dev.trellis.proxy.http.filter.HttpFilterRegistry;
import dev.trellis.proxy.listener.ListenerManager;
import dev.trellis.proxy.route.RouteSources;
import dev.trellis.proxy.stats.Stats;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.netty.channel.EventLoopGroup;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One proxy process: worker event loops, clusters, listeners, admin and (when the bootstrap has
 * {@code dynamic_resources}) the xDS client. {@link #start} applies the static resources all-or-nothing.
 */
public final class ProxyServer implements AutoCloseable {
    private static final dev.trellis.proxy.log.Log LOG = dev.trellis.proxy.log.Log.of(ProxyServer.class);

    /** Command-line settings. */
    public record Options(int concurrency, long drainTimeMs) {
        public static Options defaults() {
            return new Options(Runtime.getRuntime().availableProcessors(), 5000);
        }
    }

    private final Bootstrap bootstrap;
    private final Options options;
    private final long startedAtMs = System.currentTimeMillis();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private ProxyContext context;
    private EventLoopGroup workers;
    private EventLoopGroup adminGroup;
    private ListenerManager listeners;
    private AdminServer admin;
    private InetSocketAddress adminAddress;
    private DynamicConfig dynamic;
    private volatile boolean healthCheckFailed;
    private volatile boolean closing;

    public ProxyServer(Bootstrap bootstrap, Options options) {
        this.bootstrap = bootstrap;
        this.options = options;
    }

    /**
     * Compiles the bootstrap's static resources the way {@link #start} would (clusters, endpoints, listeners, filter
     * chains, routes, admin address) without binding a port or opening a connection, and describes what it found.
     *
     * @throws ConfigException naming what is wrong, as {@link #start} would
     */
    public static String check(Bootstrap bootstrap) {
        Stats stats = new Stats();
        try (ClusterManager clusters = new ClusterManager(stats)) {
            ProxyContext ctx = new ProxyContext(
                    stats, clusters, new RouteSources(), HttpFilterRegistry.defaults(), Transport.detect());
            var sr = bootstrap.getStaticResources();
            if (sr.getSecretsCount() > 0) {
                throw new ConfigException("bootstrap static_resources: field 'secrets' is not supported yet");
            }
            clusters.addOrUpdate(sr.getClustersList(), "");
            java.util.Set<String> names = new java.util.HashSet<>();
            for (var l : sr.getListenersList()) {
                if (!names.add(l.getName())) {
                    throw new ConfigException("listener \"" + l.getName() + "\": duplicate name");
                }
                dev.trellis.proxy.listener.ListenerConfig.compile(l, "", ctx);
            }
            if (bootstrap.hasAdmin()) {
                var a = bootstrap.getAdmin();
                if (!a.getAddress().hasSocketAddress()) {
                    throw new ConfigException("bootstrap admin: field 'address.socket_address' is required");
                }
                try {
                    InetAddress.getByName(a.getAddress().getSocketAddress().getAddress());
                } catch (java.net.UnknownHostException e) {
                    throw new ConfigException("bootstrap admin address: " + e.getMessage());
                }
            }
            return sr.getListenersCount() + " listener(s), " + sr.getClustersCount() + " cluster(s)"
                    + (bootstrap.hasAdmin() ? ", admin" : "")
                    + (bootstrap.hasDynamicResources() ? ", dynamic_resources (not contacted)" : "");
        }
    }

    public ProxyServer start() {
        Transport transport = Transport.detect();
        Stats stats = new Stats();
        ClusterManager clusters = new ClusterManager(stats);
        context = new ProxyContext(stats, clusters, new RouteSources(), HttpFilterRegistry.defaults(), transport);
        workers = transport.group(Math.max(1, options.concurrency()), "trellis-worker");
        listeners = new ListenerManager(context, workers, options.drainTimeMs());
        context.clusters().onChange(cm -> {
            for (var loop : workers) {
                try {
                    loop.execute(dev.trellis.proxy.upstream.Pools::sweepCurrent);
                } catch (java.util.concurrent.RejectedExecutionException e) {
                    // shutting down: the pools close with their loop
                }
            }
        });
        try {
            var sr = bootstrap.getStaticResources();
            if (sr.getSecretsCount() > 0) {
                throw new ConfigException("bootstrap static_resources: field 'secrets' is not supported yet");
            }
            clusters.addOrUpdate(sr.getClustersList(), "");
            listeners.addStatic(sr.getListenersList());
            if (bootstrap.hasAdmin()) {
                var a = bootstrap.getAdmin();
                if (!a.getAddress().hasSocketAddress()) {
                    throw new ConfigException("bootstrap admin: field 'address.socket_address' is required");
                }
                var sa = a.getAddress().getSocketAddress();
                adminGroup = transport.group(1, "trellis-admin");
                admin = new AdminServer(this);
                adminAddress = admin.start(
                        new InetSocketAddress(InetAddress.getByName(sa.getAddress()), sa.getPortValue()), adminGroup);
            }
            if (bootstrap.hasDynamicResources()) {
                dynamic = DynamicConfig.start(this);
            }
        } catch (ConfigException e) {
            close();
            throw e;
        } catch (java.net.UnknownHostException e) {
            close();
            throw new ConfigException("bootstrap admin address: " + e.getMessage());
        }
        LOG.info("trellis proxy started (" + transport.name() + ", " + options.concurrency() + " workers)");
        return this;
    }

    public ProxyContext context() {
        return context;
    }

    public ListenerManager listeners() {
        return listeners;
    }

    public Bootstrap bootstrap() {
        return bootstrap;
    }

    public Options options() {
        return options;
    }

    public long startedAtMs() {
        return startedAtMs;
    }

    public InetSocketAddress adminAddress() {
        return adminAddress;
    }

    /** The address a listener is bound to (useful with port 0), or null. */
    public InetSocketAddress listenerAddress(String name) {
        var a = listeners.active().get(name);
        return a == null ? null : a.boundAddress();
    }

    /** Envoy's server state: LIVE once nothing is warming from the initial fetch. */
    public boolean initialized() {
        return listeners.warming().isEmpty()
                && context.clusters().warming().isEmpty()
                && (dynamic == null || dynamic.initialFetchDone());
    }

    public boolean healthCheckFailed() {
        return healthCheckFailed;
    }

    public void setHealthCheckFailed(boolean failed) {
        this.healthCheckFailed = failed;
    }

    public DynamicConfig dynamic() {
        return dynamic;
    }

    /** Drains listeners for the drain time, then stops (admin /quitquitquit closes at once). */
    public void shutdown(boolean drain) {
        if (closing) {
            return;
        }
        closing = true;
        Thread t = new Thread(
                () -> {
                    if (drain && options.drainTimeMs() > 0) {
                        listeners.drainAll();
                        try {
                            Thread.sleep(Math.min(options.drainTimeMs(), 60_000));
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                    close();
                },
                "trellis-shutdown");
        t.start();
    }

    public void awaitStopped() throws InterruptedException {
        stopped.await();
    }

    public boolean awaitStopped(long ms) throws InterruptedException {
        return stopped.await(ms, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        closing = true;
        if (dynamic != null) {
            dynamic.close();
        }
        if (admin != null) {
            admin.close();
        }
        if (listeners != null) {
            listeners.close();
        }
        if (context != null) {
            context.clusters().close();
        }
        if (workers != null) {
            workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
        if (adminGroup != null) {
            adminGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
        stopped.countDown();
    }
}
