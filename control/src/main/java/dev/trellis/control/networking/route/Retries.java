package dev.trellis.control.networking.route;

import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.route.v3.RetryPolicy;

/**
 * Istio's default retry policy, which every outbound HTTP route carries unless its VirtualService route says otherwise
 * ({@code retries} with {@code attempts: 0} turns it off): two retries on connect failure, refused stream, gRPC
 * unavailable/cancelled and HTTP 503, preferring hosts not tried yet, up to five host selections per retry.
 *
 * <p>With a consistent-hash load balancer Istio leaves out the previous-hosts predicate: a retry should go to the host
 * the hash picks, not elsewhere.
 *
 * <p>The predicate is given by name only (Envoy falls back to the extension name when {@code typed_config} is absent;
 * {@code PreviousHostsPredicate} has no fields), so the debug views can print routes without knowing its type.
 */
public final class Retries {

    /** Istio's {@code retryOn} when a route does not set one. */
    public static final String DEFAULT_RETRY_ON =
            "connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes";

    public static final String PREVIOUS_HOSTS = "envoy.retry_host_predicates.previous_hosts";
    public static final int DEFAULT_ATTEMPTS = 2;
    public static final int HOST_SELECTION_MAX_ATTEMPTS = 5;

    private Retries() {}

    /** The default policy; without the previous-hosts predicate when the route's cluster hashes consistently. */
    public static RetryPolicy defaultPolicy(boolean consistentHash) {
        RetryPolicy.Builder p = RetryPolicy.newBuilder()
                .setRetryOn(DEFAULT_RETRY_ON)
                .setNumRetries(UInt32Value.of(DEFAULT_ATTEMPTS))
                .setHostSelectionRetryMaxAttempts(HOST_SELECTION_MAX_ATTEMPTS)
                .addRetriableStatusCodes(503);
        if (!consistentHash) {
            p.addRetryHostPredicate(previousHosts());
        }
        return p.build();
    }

    public static RetryPolicy.RetryHostPredicate previousHosts() {
        return RetryPolicy.RetryHostPredicate.newBuilder()
                .setName(PREVIOUS_HOSTS)
                .build();
    }
}
