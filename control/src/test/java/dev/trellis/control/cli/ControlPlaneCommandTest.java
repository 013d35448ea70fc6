package dev.trellis.control.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.control.testing.AdsClient;
import dev.trellis.xds.TypeUrl;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The whole control plane as the command wires it: watched directory in, xDS and debug endpoints out. */
class ControlPlaneCommandTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    private ControlPlaneCommand.Running start() throws Exception {
        return start("20ms", "200ms");
    }

    private ControlPlaneCommand.Running start(String debounceAfter, String debounceMax) throws Exception {
        ControlPlaneCommand cmd = new ControlPlaneCommand();
        new CommandLine(cmd)
                .parseArgs(
                        "--config",
                        dir.toString(),
                        "--xds-port",
                        "0",
                        "--monitoring-port",
                        "0",
                        "--debounce-after",
                        debounceAfter,
                        "--debounce-max",
                        debounceMax,
                        "--auto-register-grace",
                        "200ms");
        return cmd.start();
    }

    @Test
    void meshConfigFileThenFlags() throws Exception {
        Path mesh = Files.writeString(dir.resolve("mesh.yaml"), """
                trustDomain: example.org
                outboundTrafficPolicy: {mode: REGISTRY_ONLY}
                """);
        Path cfg = Files.createDirectories(dir.resolve("config"));
        ControlPlaneCommand fromFile = new ControlPlaneCommand();
        new CommandLine(fromFile).parseArgs("--config", cfg.toString(), "--mesh-config", mesh.toString());
        assertThat(fromFile.meshSettings().trustDomain()).isEqualTo("example.org");
        assertThat(fromFile.meshSettings().outboundPolicy())
                .isEqualTo(dev.trellis.control.model.MeshSettings.OutboundTrafficPolicy.REGISTRY_ONLY);
        ControlPlaneCommand overridden = new ControlPlaneCommand();
        new CommandLine(overridden)
                .parseArgs("--config", cfg.toString(), "--mesh-config", mesh.toString(), "--trust-domain", "td.local");
        assertThat(overridden.meshSettings().trustDomain()).isEqualTo("td.local");
        assertThat(overridden.meshSettings().outboundPolicy())
                .isEqualTo(dev.trellis.control.model.MeshSettings.OutboundTrafficPolicy.REGISTRY_ONLY);
        ControlPlaneCommand defaults = new ControlPlaneCommand();
        new CommandLine(defaults).parseArgs("--config", cfg.toString());
        assertThat(defaults.meshSettings()).isEqualTo(dev.trellis.control.model.MeshSettings.DEFAULT);

        Path bad = Files.writeString(dir.resolve("bad.yaml"), "outboundTrafficPolicy: {mode: SOMETIMES}\n");
        ControlPlaneCommand broken = new ControlPlaneCommand();
        new CommandLine(broken).parseArgs("--config", cfg.toString(), "--mesh-config", bad.toString());
        org.assertj.core.api.Assertions.assertThatThrownBy(broken::meshSettings)
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("bad.yaml:1");
    }

    @Test
    void theFirstProxiesGetTheConfigLoadedAtStartupNotAnEmptyMesh() throws Exception {
        for (String f : List.of("services.yaml", "workloads.yaml")) {
            Files.copy(Path.of("src/test/resources/meshes/bookinfo", f), dir.resolve(f));
        }
        // A long debounce: the startup push comes late, so only the initial snapshot can carry the services.
        try (ControlPlaneCommand.Running cp = start("10s", "10s");
                AdsClient c = new AdsClient(
                        cp.controlPlane().port(),
                        "sidecar~10.0.0.10~productpage-v1.default~default.svc.cluster.local",
                        "default")) {
            c.request(TypeUrl.ROUTE.url(), List.of("9080"), "", "");
            assertThat(route(c.next(WAIT)).getVirtualHostsList()).hasSize(5); // 4 services + allow_any
        }
    }

    private static int endpointCount(DiscoveryResponse r) throws Exception {
        return r
                .getResources(0)
                .unpack(io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment.class)
                .getEndpointsList()
                .stream()
                .mapToInt(l -> l.getLbEndpointsCount())
                .sum();
    }

    @Test
    void workloadGroupAutoRegistrationAddsAndRemovesTheConnectingProxy() throws Exception {
        Files.writeString(dir.resolve("group.yaml"), """
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata: {name: reviews, namespace: default}
                spec:
                  hosts: [reviews.default.svc.cluster.local]
                  location: MESH_INTERNAL
                  resolution: STATIC
                  ports: [{number: 9080, name: http, protocol: HTTP}]
                  workloadSelector: {labels: {app: reviews}}
                ---
                apiVersion: networking.istio.io/v1
                kind: WorkloadGroup
                metadata: {name: reviews, namespace: default}
                spec:
                  metadata: {labels: {app: reviews}}
                  template: {serviceAccount: bookinfo-reviews, ports: {http: 19080}}
                """);
        String cluster = "outbound|9080||reviews.default.svc.cluster.local";
        try (ControlPlaneCommand.Running cp = start();
                AdsClient watcher = new AdsClient(
                        cp.controlPlane().port(),
                        "sidecar~10.0.0.10~pp.default~default.svc.cluster.local",
                        "default")) {
            watcher.request(TypeUrl.ENDPOINT.url(), List.of(cluster), "", "");
            DiscoveryResponse empty = watcher.next(WAIT);
            assertThat(empty.getResourcesCount() == 0 || endpointCount(empty) == 0)
                    .isTrue();
            watcher.ack(empty, List.of(cluster));

            com.google.protobuf.Struct md = com.google.protobuf.Struct.newBuilder()
                    .putFields(
                            "NAMESPACE",
                            com.google.protobuf.Value.newBuilder()
                                    .setStringValue("default")
                                    .build())
                    .putFields(
                            "INSTANCE_IPS",
                            com.google.protobuf.Value.newBuilder()
                                    .setStringValue("10.0.5.5")
                                    .build())
                    .putFields(
                            "AUTO_REGISTER_GROUP",
                            com.google.protobuf.Value.newBuilder()
                                    .setStringValue("reviews")
                                    .build())
                    .build();
            AdsClient vm = new AdsClient(
                    cp.controlPlane().port(),
                    io.envoyproxy.envoy.config.core.v3.Node.newBuilder()
                            .setId("sidecar~10.0.5.5~reviews-vm.default~default.svc.cluster.local")
                            .setMetadata(md)
                            .build());
            vm.request(TypeUrl.CLUSTER.url(), List.of(), "", "");
            vm.ack(vm.next(WAIT), List.of());

            DiscoveryResponse added = watcher.next(WAIT);
            assertThat(endpointCount(added)).isEqualTo(1);
            assertThat(added.getResources(0)
                            .unpack(io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment.class)
                            .toString())
                    .contains("10.0.5.5")
                    .contains("19080");
            watcher.ack(added, List.of(cluster));
            assertThat(get(cp.monitoring().port(), "/debug/registryz")).contains("reviews-10.0.5.5");

            vm.close();
            DiscoveryResponse removed = watcher.next(WAIT);
            assertThat(removed.getResourcesCount() == 0 || endpointCount(removed) == 0)
                    .isTrue();
        }
    }

    private static String get(int port, String path) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
        }
    }

    private static RouteConfiguration route(DiscoveryResponse r) throws Exception {
        return r.getResources(0).unpack(RouteConfiguration.class);
    }

    @Test
    void appliesChangesWithinASecondAndKeepsTheLastGoodVersionOfAnInvalidFile() throws Exception {
        for (String f : List.of("services.yaml", "workloads.yaml")) {
            Files.copy(Path.of("src/test/resources/meshes/bookinfo", f), dir.resolve(f));
        }
        try (ControlPlaneCommand.Running cp = start();
                AdsClient c = new AdsClient(
                        cp.controlPlane().port(),
                        "sidecar~10.0.0.10~productpage-v1.default~default.svc.cluster.local",
                        "default")) {
            c.request(TypeUrl.ROUTE.url(), List.of("9080"), "", "");
            DiscoveryResponse first = c.next(WAIT);
            assertThat(route(first).getVirtualHostsList()).hasSize(5); // 4 services + allow_any
            c.ack(first, List.of("9080"));

            // A VirtualService appears: the route configuration changes.
            Files.writeString(dir.resolve("vs.yaml"), """
                    apiVersion: networking.istio.io/v1
                    kind: VirtualService
                    metadata: {name: reviews, namespace: default}
                    spec:
                      hosts: [reviews]
                      http:
                      - route:
                        - destination: {host: reviews}
                        timeout: 3s
                    """);
            // Typically ~100 ms here (watch event, 20 ms debounce); bounded generously so a loaded machine passes.
            DiscoveryResponse second = c.next(WAIT);
            assertThat(route(second).toString()).contains("seconds: 3");
            c.ack(second, List.of("9080"));

            // The file turns invalid: rejected, reported, the last good version keeps serving, nothing is pushed.
            Files.writeString(dir.resolve("vs.yaml"), """
                    apiVersion: networking.istio.io/v1
                    kind: VirtualService
                    metadata: {name: reviews, namespace: default}
                    spec:
                      hosts: [reviews]
                      http:
                      - route:
                        - destination: {host: reviews}
                        timeout: soon
                    """);
            String configz = "";
            for (int i = 0; i < 40 && !configz.contains("timeout"); i++) {
                Thread.sleep(50);
                configz = get(cp.monitoring().port(), "/debug/configz");
            }
            assertThat(configz).contains("vs.yaml:9").contains("spec.http[0].timeout");
            assertThat(c.poll(Duration.ofMillis(300)))
                    .as("no push for a rejected file")
                    .isNull();
            assertThat(cp.controlPlane().current().routing()).isNotNull();
            assertThat(get(cp.monitoring().port(), "/metrics"))
                    .contains("trellis_config_rejected_total 1")
                    .contains("trellis_config_errors 1")
                    .contains("pilot_xds 1");

            // Removing the file removes its resources.
            Files.delete(dir.resolve("vs.yaml"));
            DiscoveryResponse third = c.next(WAIT);
            assertThat(route(third).toString()).doesNotContain("seconds: 3");
            c.ack(third, List.of("9080"));

            // The ACK travels asynchronously: wait (bounded) until the control plane has recorded it.
            String syncz = "";
            for (int i = 0; i < 50 && !syncz.contains("\"RDS\":{\"status\":\"SYNCED\""); i++) {
                Thread.sleep(20);
                syncz = get(cp.monitoring().port(), "/debug/syncz");
            }
            assertThat(syncz).contains("productpage-v1.default").contains("\"RDS\":{\"status\":\"SYNCED\"");
            assertThat(get(cp.monitoring().port(), "/debug/config_dump?proxyID=productpage-v1"))
                    .contains("\"routes\"")
                    .contains("reviews.default.svc.cluster.local:9080");
            assertThat(get(cp.monitoring().port(), "/debug/registryz")).contains("10.0.0.22:9080");

            String url = "http://127.0.0.1:" + cp.monitoring().port();
            String status = run(new ProxyStatusCommand(), "--control-plane", url);
            assertThat(status)
                    .contains("NAME")
                    .contains("productpage-v1.default")
                    .contains("SYNCED");
            String routes = run(new ProxyConfigCommand(), "routes", "productpage-v1", "--control-plane", url);
            assertThat(routes)
                    .contains("VIRTUAL HOST")
                    .contains("reviews.default.svc.cluster.local:9080")
                    .contains("outbound|9080||reviews.default.svc.cluster.local");
            assertThat(run(new ProxyConfigCommand(), "routes", "productpage-v1", "-o", "json", "--control-plane", url))
                    .contains("\"virtualHosts\"");
        }
    }

    private static String run(Object command, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(command);
        cl.setOut(new java.io.PrintWriter(out));
        cl.setErr(new java.io.PrintWriter(err));
        int code = cl.execute(args);
        assertThat(code).as("exit code; stderr: %s", err).isZero();
        return out.toString();
    }

    @Test
    void debugCommandsReportAnUnreachableControlPlaneInOneLine() {
        for (var cmd : List.<Object>of(new ProxyStatusCommand(), new ProxyConfigCommand())) {
            StringWriter err = new StringWriter();
            CommandLine cl = new CommandLine(cmd);
            cl.setErr(new java.io.PrintWriter(err));
            String[] args = cmd instanceof ProxyConfigCommand
                    ? new String[] {"routes", "some-proxy", "--control-plane", "http://127.0.0.1:1"}
                    : new String[] {"--control-plane", "http://127.0.0.1:1"};
            assertThat(cl.execute(args)).isEqualTo(1);
            assertThat(err.toString().strip())
                    .startsWith("trellis " + cl.getCommandName() + ": cannot reach")
                    .doesNotContain("\n");
        }
    }

    @Test
    void debugCommandsNameTheFormatsTheyKnow() {
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new ProxyStatusCommand());
        cl.setErr(new java.io.PrintWriter(err));
        assertThat(cl.execute("-o", "yaml")).isEqualTo(2);
        assertThat(err.toString()).contains("--output").contains("table, json").contains("yaml");
    }

    @Test
    void aPortInUseIsOneLineAndNothingIsLeftRunning() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            StringWriter err = new StringWriter();
            CommandLine cl = new CommandLine(new ControlPlaneCommand());
            cl.setErr(new java.io.PrintWriter(err));
            int code = cl.execute(
                    "--config",
                    dir.toString(),
                    "--xds-port",
                    Integer.toString(taken.getLocalPort()),
                    "--monitoring-port",
                    "0");
            assertThat(code).isEqualTo(1);
            assertThat(err.toString().strip())
                    .startsWith("trellis control-plane: cannot listen")
                    .doesNotContain("\tat ");
            // Watcher threads of earlier tests may still be finishing: wait (bounded) for all of them to end.
            for (int i = 0; i < 50 && watcherThreads() > 0; i++) {
                Thread.sleep(20);
            }
            assertThat(watcherThreads()).isZero();
        }
    }

    private static long watcherThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("trellis-config-watch") && t.isAlive())
                .count();
    }

    @Test
    void badFlagsPrintOneLine() {
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new ControlPlaneCommand());
        cl.setErr(new java.io.PrintWriter(err));
        int code = cl.execute("--config", dir.resolve("missing").toString(), "--debounce-after", "soon");
        assertThat(code).isNotZero();
        assertThat(err.toString()).contains("soon").doesNotContain("\tat ");
    }
}
