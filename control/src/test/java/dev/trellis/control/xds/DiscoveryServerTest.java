package dev.trellis.control.xds;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.trellis.control.ControlPlane;
import dev.trellis.control.model.MeshSettings;
import dev.trellis.control.model.Service;
import dev.trellis.control.model.Workload;
import dev.trellis.control.push.Environment;
import dev.trellis.control.push.PushRequest;
import dev.trellis.control.registry.AggregateRegistry;
import dev.trellis.control.registry.MemoryRegistry;
import dev.trellis.control.testing.AdsClient;
import dev.trellis.control.testing.Meshes;
import dev.trellis.xds.TypeUrl;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DiscoveryServerTest {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final Duration QUIET = Duration.ofMillis(400);
    private static final String REVIEWS = "outbound|9080||reviews.default.svc.cluster.local";
    private static final String RATINGS = "outbound|9080||ratings.default.svc.cluster.local";

    private MemoryRegistry registry;
    private ControlPlane cp;

    @BeforeEach
    void start() throws Exception {
        registry = Meshes.bookinfo();
        AggregateRegistry agg = new AggregateRegistry();
        agg.add(registry);
        cp = new ControlPlane(new Environment(MeshSettings.DEFAULT, agg), Duration.ofMillis(10), Duration.ofMillis(50))
                .start(new InetSocketAddress("127.0.0.1", 0));
    }

    @AfterEach
    void stop() {
        cp.close();
    }

    private static List<String> names(DiscoveryResponse r) throws InvalidProtocolBufferException {
        List<String> out = new ArrayList<>();
        for (var any : r.getResourcesList()) {
            out.add(
                    switch (TypeUrl.fromUrl(r.getTypeUrl())) {
                        case CLUSTER -> any.unpack(Cluster.class).getName();
                        case ENDPOINT -> any.unpack(ClusterLoadAssignment.class).getClusterName();
                        case LISTENER -> any.unpack(Listener.class).getName();
                        case ROUTE -> any.unpack(RouteConfiguration.class).getName();
                        case SECRET -> "";
                    });
        }
        return out;
    }

    @Test
    void servesAndAcksAFullSidecarConfig() throws Exception {
        try (AdsClient c = new AdsClient(
                cp.port(), "sidecar~10.0.0.10~productpage-v1.default~default.svc.cluster.local", "default")) {
            c.request(TypeUrl.CLUSTER.url(), List.of(), "", "");
            DiscoveryResponse cds = c.next(WAIT);
            assertThat(names(cds))
                    .contains(REVIEWS, RATINGS, "PassthroughCluster", "BlackHoleCluster", "inbound|9080||");
            c.ack(cds, List.of());

            c.request(TypeUrl.ENDPOINT.url(), List.of(REVIEWS), "", "");
            DiscoveryResponse eds = c.next(WAIT);
            ClusterLoadAssignment cla = eds.getResources(0).unpack(ClusterLoadAssignment.class);
            assertThat(cla.getEndpointsList())
                    .allSatisfy(l -> assertThat(l.hasLoadBalancingWeight()).isTrue());
            assertThat(cla.getEndpointsList().stream()
                            .mapToInt(l -> l.getLbEndpointsCount())
                            .sum())
                    .isEqualTo(3);
            c.ack(eds, List.of(REVIEWS));

            c.request(TypeUrl.LISTENER.url(), List.of(), "", "");
            DiscoveryResponse lds = c.next(WAIT);
            assertThat(names(lds)).containsExactly("0.0.0.0_9080", "virtualInbound", "virtualOutbound");
            c.ack(lds, List.of());

            c.request(TypeUrl.ROUTE.url(), List.of("9080"), "", "");
            DiscoveryResponse rds = c.next(WAIT);
            assertThat(names(rds)).containsExactly("9080");
            c.ack(rds, List.of("9080"));

            assertThat(c.poll(QUIET)).as("no response to plain ACKs").isNull();
            XdsConnection con = cp.discovery().connections().getFirst();
            assertThat(con.status(TypeUrl.CLUSTER)).isEqualTo(XdsConnection.SyncStatus.SYNCED);
            assertThat(con.status(TypeUrl.ROUTE)).isEqualTo(XdsConnection.SyncStatus.SYNCED);
            assertThat(cp.discovery().metrics().connected.get()).isEqualTo(1);

            // A full push that changes nothing sends nothing: versions are content hashes.
            cp.submit(PushRequest.full("test"));
            assertThat(c.poll(QUIET)).isNull();
        }
    }

    @Test
    void endpointChangePushesOnlyEdsAndOnlyToProxiesWatchingTheService() throws Exception {
        try (AdsClient watcher =
                        new AdsClient(cp.port(), "sidecar~10.0.0.10~pp.default~default.svc.cluster.local", "default");
                AdsClient other = new AdsClient(
                        cp.port(), "sidecar~10.0.0.11~details.default~default.svc.cluster.local", "default")) {
            for (AdsClient c : List.of(watcher, other)) {
                c.request(TypeUrl.CLUSTER.url(), List.of(), "", "");
                c.ack(c.next(WAIT), List.of());
            }
            watcher.request(TypeUrl.ENDPOINT.url(), List.of(REVIEWS), "", "");
            DiscoveryResponse first = watcher.next(WAIT);
            watcher.ack(first, List.of(REVIEWS));
            other.request(TypeUrl.ENDPOINT.url(), List.of(RATINGS), "", "");
            other.ack(other.next(WAIT), List.of(RATINGS));

            addReviewsEndpoint("10.0.0.24");

            DiscoveryResponse pushed = watcher.next(WAIT);
            assertThat(pushed.getTypeUrl()).isEqualTo(TypeUrl.ENDPOINT.url());
            assertThat(pushed.getVersionInfo()).isNotEqualTo(first.getVersionInfo());
            assertThat(pushed.getResources(0).unpack(ClusterLoadAssignment.class).getEndpointsList().stream()
                            .mapToInt(l -> l.getLbEndpointsCount())
                            .sum())
                    .isEqualTo(4);
            watcher.ack(pushed, List.of(REVIEWS));
            assertThat(watcher.poll(QUIET))
                    .as("no CDS/LDS for an endpoint change")
                    .isNull();
            assertThat(other.poll(Duration.ofMillis(50)))
                    .as("ratings watcher is not affected")
                    .isNull();
            assertThat(cp.discovery().metrics().convergenceCount).isGreaterThanOrEqualTo(1);
        }
    }

    @Test
    void nackIsRecordedAndTheRejectedVersionIsNeverResent() throws Exception {
        try (AdsClient c =
                new AdsClient(cp.port(), "sidecar~10.0.0.10~pp.default~default.svc.cluster.local", "default")) {
            c.request(TypeUrl.ENDPOINT.url(), List.of(REVIEWS), "", "");
            DiscoveryResponse eds = c.next(WAIT);
            c.nack(eds, List.of(REVIEWS), "bad endpoint");

            assertThat(c.poll(QUIET)).as("no re-send after a NACK").isNull();
            XdsConnection con = cp.discovery().connections().getFirst();
            assertThat(con.status(TypeUrl.ENDPOINT)).isEqualTo(XdsConnection.SyncStatus.NACKED);
            assertThat(con.watches().get(TypeUrl.ENDPOINT).lastNack()).isEqualTo("bad endpoint");
            assertThat(cp.discovery().metrics().rejects.get("eds").sum()).isEqualTo(1);

            // A push with the same content still sends nothing.
            cp.submit(PushRequest.endpoints(java.util.Set.of("reviews.default.svc.cluster.local")));
            assertThat(c.poll(QUIET)).isNull();

            // New content is sent, and its ACK makes the proxy SYNCED again.
            addReviewsEndpoint("10.0.0.25");
            DiscoveryResponse fixed = c.next(WAIT);
            assertThat(fixed.getVersionInfo()).isNotEqualTo(eds.getVersionInfo());
            c.ack(fixed, List.of(REVIEWS));
            assertThat(c.poll(QUIET)).isNull();
            assertThat(con.status(TypeUrl.ENDPOINT)).isEqualTo(XdsConnection.SyncStatus.SYNCED);
        }
    }

    @Test
    void staleNonceIsIgnoredAndSubscriptionChangeIsAnswered() throws Exception {
        try (AdsClient c =
                new AdsClient(cp.port(), "sidecar~10.0.0.10~pp.default~default.svc.cluster.local", "default")) {
            c.request(TypeUrl.ENDPOINT.url(), List.of(REVIEWS), "", "");
            DiscoveryResponse eds = c.next(WAIT);
            c.request(TypeUrl.ENDPOINT.url(), List.of(REVIEWS, RATINGS), "", "not-a-nonce");
            assertThat(c.poll(QUIET)).isNull();
            c.request(TypeUrl.ENDPOINT.url(), List.of(REVIEWS, RATINGS), eds.getVersionInfo(), eds.getNonce());
            assertThat(names(c.next(WAIT))).containsExactly(RATINGS, REVIEWS);
        }
    }

    @Test
    void requestsForTypesWithoutAGeneratorAreIgnoredWithoutEndingTheStream() throws Exception {
        try (AdsClient c =
                new AdsClient(cp.port(), "sidecar~10.0.0.10~pp.default~default.svc.cluster.local", "default")) {
            c.request(TypeUrl.SECRET.url(), List.of("default", "ROOTCA"), "", "");
            assertThat(c.poll(QUIET)).isNull();
            c.request(TypeUrl.CLUSTER.url(), List.of(), "", "");
            assertThat(names(c.next(WAIT))).contains(REVIEWS);
        }
    }

    @Test
    void anExplicitWildcardMeansEverything() throws Exception {
        try (AdsClient c =
                new AdsClient(cp.port(), "sidecar~10.0.0.10~pp.default~default.svc.cluster.local", "default")) {
            c.request(TypeUrl.CLUSTER.url(), List.of("*"), "", "");
            assertThat(names(c.next(WAIT))).contains(REVIEWS, RATINGS, "PassthroughCluster");
        }
    }

    private void addReviewsEndpoint(String ip) {
        Map<String, List<Workload>> eps = new HashMap<>();
        List<Service> services = registry.services();
        for (Service s : services) {
            eps.put(s.hostname(), new ArrayList<>(registry.endpoints(s.hostname())));
        }
        eps.get("reviews.default.svc.cluster.local")
                .add(Meshes.workload("reviews-new-" + ip, "default", ip, Map.of("app", "reviews", "version", "v4")));
        registry.replaceServices(services, eps);
    }
}
