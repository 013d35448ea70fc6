package dev.trellis.control.config;

import static dev.trellis.control.config.IstioRoutingTest.CLIENT;
import static dev.trellis.control.config.IstioRoutingTest.push;
import static dev.trellis.control.config.IstioRoutingTest.reviewsRoutes;
import static dev.trellis.control.config.IstioRoutingTest.vs;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.control.networking.route.Retries;
import dev.trellis.control.networking.route.RouteBuilder;
import dev.trellis.control.push.PushContext;
import io.envoyproxy.envoy.config.route.v3.RetryPolicy;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Istio's default retry policy on outbound HTTP routes, and how a VirtualService's {@code retries} changes it. */
class RetryPolicyTest {

    /** What a retry policy says, in a form a table can hold; null policy is "no retries". */
    record Expect(String retryOn, int attempts, List<Integer> codes, boolean previousHosts, String perTry) {}

    static final Expect DEFAULT = new Expect(Retries.DEFAULT_RETRY_ON, 2, List.of(503), true, null);

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("no retries field: Istio's default", "", DEFAULT),
                Arguments.of("attempts 0 turns retries off", "retries: {attempts: 0}", null),
                Arguments.of("no attempts is 0 as in Istio's proto: off", "retries: {perTryTimeout: 1s}", null),
                Arguments.of(
                        "attempts only keeps the default conditions",
                        "retries: {attempts: 5}",
                        new Expect(Retries.DEFAULT_RETRY_ON, 5, List.of(503), true, null)),
                Arguments.of(
                        "retryOn replaces conditions and codes",
                        "retries: {attempts: 3, retryOn: 'gateway-error,connect-failure'}",
                        new Expect("gateway-error,connect-failure", 3, List.of(), true, null)),
                Arguments.of(
                        "numbers in retryOn are status codes",
                        "retries: {attempts: 3, retryOn: '5xx,502,429'}",
                        new Expect("5xx,retriable-status-codes", 3, List.of(502, 429), true, null)),
                Arguments.of(
                        "codes only",
                        "retries: {attempts: 1, retryOn: '503'}",
                        new Expect("retriable-status-codes", 1, List.of(503), true, null)),
                Arguments.of(
                        "per-try timeout",
                        "retries: {attempts: 2, perTryTimeout: 250ms}",
                        new Expect(Retries.DEFAULT_RETRY_ON, 2, List.of(503), true, "0.250s")),
                Arguments.of(
                        "retryIgnorePreviousHosts false drops the predicate",
                        "retries: {attempts: 2, retryIgnorePreviousHosts: false}",
                        new Expect(Retries.DEFAULT_RETRY_ON, 2, List.of(503), false, null)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void virtualServiceRetriesTranslateAsIstio(String name, String retries, Expect expect) {
        String route = retries.isEmpty()
                ? "- route: [{destination: {host: reviews}}]"
                : "- " + retries + "\n  route: [{destination: {host: reviews}}]";
        PushContext push = push(vs(route));
        assertThat(push.errors()).isEmpty();
        Route r = reviewsRoutes(push, CLIENT).getFirst();
        check(r, expect);
    }

    @Test
    void aServiceWithoutVirtualServiceGetsTheDefaultPolicy() {
        PushContext push = push("");
        check(reviewsRoutes(push, CLIENT).getFirst(), DEFAULT);
        RetryPolicy p = reviewsRoutes(push, CLIENT).getFirst().getRoute().getRetryPolicy();
        assertThat(p.getHostSelectionRetryMaxAttempts()).isEqualTo(5);
        assertThat(p.getRetryHostPredicate(0).getName()).isEqualTo("envoy.retry_host_predicates.previous_hosts");
    }

    @Test
    void consistentHashClustersRetryWithoutThePreviousHostsPredicate() {
        String dr = """
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: reviews, namespace: default}
                spec:
                  host: reviews
                  trafficPolicy: {loadBalancer: {consistentHash: {httpHeaderName: x-user}}}
                """;
        check(
                reviewsRoutes(push(dr), CLIENT).getFirst(),
                new Expect(Retries.DEFAULT_RETRY_ON, 2, List.of(503), false, null));
        PushContext withVs = push(dr + "---\n" + vs("- route: [{destination: {host: reviews}}]"));
        check(
                reviewsRoutes(withVs, CLIENT).getFirst(),
                new Expect(Retries.DEFAULT_RETRY_ON, 2, List.of(503), false, null));
    }

    @Test
    void inboundAndPassthroughRoutesDoNotRetry() {
        assertThat(RouteBuilder.inbound(9080)
                        .getVirtualHosts(0)
                        .getRoutes(0)
                        .getRoute()
                        .hasRetryPolicy())
                .isFalse();
        RouteConfiguration rc = RouteBuilder.outbound(CLIENT, push(""), 9080);
        VirtualHost allowAny = rc.getVirtualHosts(rc.getVirtualHostsCount() - 1);
        assertThat(allowAny.getRoutes(0).getRoute().hasRetryPolicy()).isFalse();
    }

    @Test
    void retryRemoteLocalitiesIsReportedAsNotTranslated() {
        PushContext push = push(vs("- retries: {attempts: 2, retryRemoteLocalities: true}\n"
                + "  route: [{destination: {host: reviews}}]"));
        assertThat(push.errors()).anySatisfy(e -> assertThat(e)
                .contains("VirtualService default/reviews")
                .contains("spec.http[0].retries.retryRemoteLocalities"));
    }

    static void check(Route r, Expect expect) {
        if (expect == null) {
            assertThat(r.getRoute().hasRetryPolicy()).as("no retry policy").isFalse();
            return;
        }
        RetryPolicy p = r.getRoute().getRetryPolicy();
        assertThat(p.getRetryOn()).isEqualTo(expect.retryOn());
        assertThat(p.getNumRetries().getValue()).isEqualTo(expect.attempts());
        assertThat(p.getRetriableStatusCodesList()).containsExactlyElementsOf(expect.codes());
        assertThat(p.getRetryHostPredicateCount()).isEqualTo(expect.previousHosts() ? 1 : 0);
        assertThat(p.getHostSelectionRetryMaxAttempts()).isEqualTo(5);
        if (expect.perTry() == null) {
            assertThat(p.hasPerTryTimeout()).isFalse();
        } else {
            assertThat(com.google.protobuf.util.Durations.toString(p.getPerTryTimeout()))
                    .isEqualTo(expect.perTry());
        }
    }
}
