package dev.trellis.proxy.route;

import com.google.protobuf.Any;
import com.google.re2j.Pattern;
import java.util.List;
import java.util.Map;

/** One compiled route: its match, what it does, and its header mutations. */
public record Route(
        String name,
        RouteMatch match,
        Action action,
        HeaderMutation requestHeaders,
        HeaderMutation responseHeaders,
        Map<String, Any> perFilterConfig) {

    /** What a matched route does. */
    public sealed interface Action permits Forward, Redirect, DirectResponse {}

    /** One cluster of a {@code weighted_clusters} action with its own header mutations. */
    public record WeightedCluster(
            String name, int weight, HeaderMutation requestHeaders, HeaderMutation responseHeaders) {}

    /**
     * Send upstream. Exactly one of {@code cluster}, {@code weighted} (with cumulative weights), {@code clusterHeader}
     * names the cluster.
     */
    public record Forward(
            String cluster,
            List<WeightedCluster> weighted,
            int[] cumulativeWeights,
            String clusterHeader,
            String prefixRewrite,
            Pattern regexRewrite,
            String regexSubstitution,
            String hostRewriteLiteral,
            boolean autoHostRewrite,
            String hostRewriteHeader,
            long timeoutMs,
            long idleTimeoutMs,
            List<HashPolicy> hashPolicies,
            List<String> upgrades)
            implements Action {}

    public record Redirect(
            String scheme,
            String host,
            int port,
            String path,
            String prefixRewrite,
            Pattern regex,
            String regexSubstitution,
            int status,
            boolean stripQuery)
            implements Action {}

    public record DirectResponse(int status, byte[] body) implements Action {}
}
