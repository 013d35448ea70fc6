package dev.trellis.control.cli;

import dev.trellis.api.model.Resource;
import dev.trellis.control.ControlPlane;
import dev.trellis.control.config.AutoRegistration;
import dev.trellis.control.config.ConfigController;
import dev.trellis.control.config.ConfigWatcher;
import dev.trellis.control.config.IstioFiles;
import dev.trellis.control.debug.ConfigView;
import dev.trellis.control.debug.MonitoringServer;
import dev.trellis.control.model.MeshSettings;
import dev.trellis.control.push.Environment;
import dev.trellis.control.registry.AggregateRegistry;
import dev.trellis.control.registry.MemoryRegistry;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code trellis control-plane}: serves xDS for the Istio config in a watched directory. */
@Command(
        name = "control-plane",
        mixinStandardHelpOptions = true,
        description = "Run the control plane: watch Istio config in a directory and serve it as xDS (ADS) to proxies.")
public final class ControlPlaneCommand implements java.util.concurrent.Callable<Integer> {

    @Option(
            names = "--config",
            required = true,
            paramLabel = "DIR",
            description = "Config directory, watched recursively.")
    Path config;

    @Option(
            names = "--xds-port",
            defaultValue = "15010",
            description = "ADS port (plaintext). Default: ${DEFAULT-VALUE}.")
    int xdsPort;

    @Option(
            names = "--xds-address",
            defaultValue = "127.0.0.1",
            description = "Address the ADS port binds. Default: ${DEFAULT-VALUE}.")
    String xdsAddress;

    @Option(
            names = "--monitoring-port",
            defaultValue = "15014",
            description = "Metrics and debug port. Default: ${DEFAULT-VALUE}.")
    int monitoringPort;

    @Option(
            names = "--monitoring-address",
            defaultValue = "127.0.0.1",
            description = "Address the monitoring port binds (keep it loopback). Default: ${DEFAULT-VALUE}.")
    String monitoringAddress;

    @Option(
            names = "--debounce-after",
            defaultValue = "100ms",
            converter = DurationConverter.class,
            description = "Quiet period before a push. Default: ${DEFAULT-VALUE}.")
    Duration debounceAfter;

    @Option(
            names = "--debounce-max",
            defaultValue = "1s",
            converter = DurationConverter.class,
            description = "Longest a change waits for a push. Default: ${DEFAULT-VALUE}.")
    Duration debounceMax;

    @Option(
            names = "--mesh-config",
            paramLabel = "FILE",
            description = "Istio MeshConfig (or the istio ConfigMap) for trustDomain, rootNamespace,"
                    + " outboundTrafficPolicy and localityLbSetting; the flags below override it.")
    Path meshConfig;

    @Option(
            names = "--trust-domain",
            description = "SPIFFE trust domain. Default: the mesh config's, else cluster.local.")
    String trustDomain;

    @Option(
            names = "--outbound-traffic-policy",
            description = "ALLOW_ANY or REGISTRY_ONLY. Default: the mesh config's, else ALLOW_ANY.")
    MeshSettings.OutboundTrafficPolicy outboundPolicy;

    @Option(
            names = "--auto-register-grace",
            defaultValue = "10s",
            converter = DurationConverter.class,
            description = "How long an auto-registered workload outlives its last xDS stream.")
    Duration autoRegisterGrace;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Picocli converter for Istio-style durations ({@code 100ms}, {@code 1s}, {@code 1m30s}). */
    public static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                long nanos = dev.trellis.api.model.Duration.parse(value).nanos();
                if (nanos < 0) {
                    throw new CommandLine.TypeConversionException("duration must not be negative: " + value);
                }
                return Duration.ofNanos(nanos);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /** A running control plane with everything wired; closing stops it. */
    public record Running(
            ControlPlane controlPlane,
            ConfigWatcher watcher,
            MonitoringServer monitoring,
            ScheduledExecutorService timer)
            implements AutoCloseable {
        @Override
        public void close() {
            monitoring.close();
            watcher.close();
            controlPlane.close();
            timer.shutdownNow();
        }
    }

    /** Istio's defaults, then the mesh config file, then the flags. A file with errors stops the start. */
    MeshSettings meshSettings() throws java.io.IOException {
        MeshSettings mesh = MeshSettings.DEFAULT;
        if (meshConfig != null) {
            if (!Files.isRegularFile(meshConfig)) {
                throw new CommandLine.ParameterException(
                        spec == null ? new CommandLine(this) : spec.commandLine(),
                        "--mesh-config: " + meshConfig + " is not a file");
            }
            var r = dev.trellis.control.config.MeshConfigFile.load(meshConfig);
            if (!r.errors().isEmpty()) {
                throw new CommandLine.ParameterException(
                        spec == null ? new CommandLine(this) : spec.commandLine(),
                        "--mesh-config: " + String.join("; ", r.errors()));
            }
            for (String w : r.warnings()) {
                java.util.logging.Logger.getLogger(ControlPlaneCommand.class.getName())
                        .warning(w);
            }
            mesh = r.settings();
        }
        if (trustDomain != null) {
            mesh = mesh.withTrustDomain(trustDomain);
        }
        if (outboundPolicy != null) {
            mesh = mesh.withOutboundPolicy(outboundPolicy);
        }
        return mesh;
    }

    /** Starts everything the flags describe. Used by {@link #call()} and by tests that want a real control plane. */
    public Running start() throws Exception {
        if (!Files.isDirectory(config)) {
            throw new CommandLine.ParameterException(
                    spec == null ? new CommandLine(this) : spec.commandLine(),
                    "--config: " + config + " is not a directory");
        }
        MeshSettings mesh = meshSettings();
        MemoryRegistry configRegistry = new MemoryRegistry("config");
        MemoryRegistry autoRegistry = new MemoryRegistry("auto-registration");
        AggregateRegistry registry = new AggregateRegistry();
        registry.add(configRegistry);
        registry.add(autoRegistry);
        // The controller asks for pushes, the control plane reads the controller's routing: break the cycle with a
        // reference set once the control plane exists.
        AtomicReference<Runnable> pushAll = new AtomicReference<>(() -> {});
        AtomicReference<ConfigWatcher> watcher = new AtomicReference<>();
        ConfigController real = new ConfigController(
                mesh,
                configRegistry,
                () -> pushAll.get().run(),
                () -> watcher.get() == null ? java.util.Map.of() : watcher.get().errors());
        Environment env = new Environment(mesh, registry, real::routing, real::errors);
        ControlPlane cp = new ControlPlane(env, debounceAfter, debounceMax);
        pushAll.set(cp::configChanged);
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "trellis-auto-register");
            t.setDaemon(true);
            return t;
        });
        cp.discovery()
                .addConnectionListener(new AutoRegistration(autoRegistry, real::resources, timer, autoRegisterGrace));
        ConfigWatcher w = new ConfigWatcher(config, IstioFiles::load, real::apply);
        watcher.set(w);
        MonitoringServer mon = new MonitoringServer(cp, new ConfigView() {
            @Override
            public List<Resource<?>> resources() {
                return real.resources();
            }

            @Override
            public List<String> errors() {
                return real.errors();
            }

            @Override
            public long rejected() {
                return w.rejectedLoads();
            }
        });
        try {
            w.start();
            cp.start(new InetSocketAddress(xdsAddress, xdsPort));
            mon.start(new InetSocketAddress(monitoringAddress, monitoringPort));
        } catch (java.io.IOException | RuntimeException e) {
            // Nothing half-started: stop what did start, then report one line.
            mon.close();
            w.close();
            cp.close();
            timer.shutdownNow();
            if (bindFailure(e)) {
                throw new java.io.IOException("cannot listen on the xDS or monitoring port: " + e.getMessage(), e);
            }
            throw e;
        }
        return new Running(cp, w, mon, timer);
    }

    /**
     * A port in use, whatever the transport: NIO throws {@link java.net.BindException}, while Netty's epoll transport
     * (picked by gRPC whenever its native jar is on the class path, as in the {@code trellis} CLI) throws an
     * {@code IOException} saying "Address already in use".
     */
    static boolean bindFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof java.net.BindException
                    || (t.getMessage() != null && t.getMessage().contains("Address already in use"))) {
                return true;
            }
        }
        return false;
    }

    @Override
    public Integer call() throws Exception {
        Running running;
        try {
            running = start();
        } catch (java.io.IOException e) {
            spec.commandLine().getErr().println("trellis control-plane: " + e.getMessage());
            return 1;
        }
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            running.close();
            stop.countDown();
        }));
        var push = running.controlPlane().current();
        spec.commandLine()
                .getOut()
                .printf(
                        "trellis control-plane: xDS on %s:%d, monitoring on http://%s:%d/, config %s (%d resources,"
                                + " %d errors)%n",
                        xdsAddress,
                        running.controlPlane().port(),
                        monitoringAddress,
                        running.monitoring().port(),
                        config,
                        running.watcher().resources().size(),
                        push.errors().size());
        spec.commandLine().getOut().flush();
        stop.await();
        return 0;
    }
}
