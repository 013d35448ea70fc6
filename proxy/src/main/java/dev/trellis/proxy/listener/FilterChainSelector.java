package dev.trellis.proxy.listener;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * Envoy's filter chain selection: destination port, destination IP (longest prefix), server name (exact, then longest
 * wildcard), transport protocol, application protocols, source IP (longest prefix), source port. At each step the
 * chains that match the criterion most specifically survive; if none specifies it, those leaving it empty survive; if
 * chains specify it but none matches, only those leaving it empty survive.
 */
public final class FilterChainSelector {
    private FilterChainSelector() {}

    /** What is known about a connection when choosing its chain. */
    public record Facts(
            InetSocketAddress destination,
            InetSocketAddress source,
            String serverName,
            String transportProtocol,
            List<String> applicationProtocols) {}

    public static <T> T select(List<T> chains, List<FilterChainMatch> matches, Facts f, T fallback) {
        List<Integer> c = new ArrayList<>();
        for (int i = 0; i < chains.size(); i++) {
            c.add(i);
        }
        c = step(
                c,
                matches,
                m -> m.destinationPort() == 0
                        ? 0
                        : m.destinationPort() == f.destination().getPort() ? 1 : -1);
        c = step(c, matches, m -> cidr(m.prefixRanges(), f.destination()));
        c = step(c, matches, m -> serverName(m.serverNames(), f.serverName()));
        c = step(
                c,
                matches,
                m -> m.transportProtocol().isEmpty()
                        ? 0
                        : m.transportProtocol().equals(f.transportProtocol()) ? 1 : -1);
        c = step(c, matches, m -> {
            if (m.applicationProtocols().isEmpty()) {
                return 0;
            }
            for (String p : f.applicationProtocols()) {
                if (m.applicationProtocols().contains(p)) {
                    return 1;
                }
            }
            return -1;
        });
        c = step(c, matches, m -> cidr(m.sourcePrefixRanges(), f.source()));
        c = step(
                c,
                matches,
                m -> m.sourcePorts().isEmpty()
                        ? 0
                        : m.sourcePorts().contains(f.source().getPort()) ? 1 : -1);
        return c.isEmpty() ? fallback : chains.get(c.get(0));
    }

    /** Score: -1 no match, 0 criterion empty, >0 specificity of the match. */
    private static List<Integer> step(
            List<Integer> in, List<FilterChainMatch> matches, ToIntFunction<FilterChainMatch> score) {
        int best = -1;
        for (int i : in) {
            best = Math.max(best, score.applyAsInt(matches.get(i)));
        }
        if (best < 0) {
            return List.of();
        }
        List<Integer> out = new ArrayList<>();
        for (int i : in) {
            if (score.applyAsInt(matches.get(i)) == best) {
                out.add(i);
            }
        }
        return out;
    }

    private static int cidr(List<FilterChainMatch.Cidr> ranges, InetSocketAddress a) {
        if (ranges.isEmpty()) {
            return 0;
        }
        if (a == null || a.getAddress() == null) {
            return -1;
        }
        int best = -1;
        for (FilterChainMatch.Cidr r : ranges) {
            best = Math.max(best, r.match(a.getAddress()));
        }
        // A /0 match is still more specific than no criterion.
        return best < 0 ? -1 : best + 1;
    }

    private static int serverName(List<String> names, String sni) {
        if (names.isEmpty()) {
            return 0;
        }
        if (sni == null || sni.isEmpty()) {
            return -1;
        }
        String s = sni.toLowerCase(java.util.Locale.ROOT);
        int best = -1;
        for (String n : names) {
            if (n.equals(s)) {
                return Integer.MAX_VALUE;
            }
            if (n.startsWith("*.") && s.endsWith(n.substring(1))) {
                best = Math.max(best, n.length());
            }
        }
        return best;
    }
}
