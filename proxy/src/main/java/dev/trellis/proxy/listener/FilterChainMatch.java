package dev.trellis.proxy.listener;

import dev.trellis.proxy.config.ConfigException;
import io.envoyproxy.envoy.config.core.v3.CidrRange;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;

/**
 * A compiled {@code filter_chain_match}. Selection ({@link FilterChainSelector}) walks Envoy's criteria in order and,
 * at each step, keeps the chains with the most specific match, falling back to chains that leave the criterion empty.
 */
public record FilterChainMatch(
        int destinationPort,
        List<Cidr> prefixRanges,
        List<String> serverNames,
        String transportProtocol,
        List<String> applicationProtocols,
        List<Cidr> sourcePrefixRanges,
        List<Integer> sourcePorts) {

    /** An IP prefix. */
    public record Cidr(byte[] prefix, int bits) {
        static Cidr compile(CidrRange r, String where) {
            try {
                byte[] a = InetAddress.getByName(r.getAddressPrefix()).getAddress();
                int bits = r.hasPrefixLen() ? r.getPrefixLen().getValue() : a.length * 8;
                if (bits > a.length * 8) {
                    throw new ConfigException(
                            where + ": prefix_len " + bits + " is too long for " + r.getAddressPrefix());
                }
                return new Cidr(a, bits);
            } catch (UnknownHostException e) {
                throw new ConfigException(where + ": '" + r.getAddressPrefix() + "' is not an IP address");
            }
        }

        /** Matches the address; returns the prefix length or -1. */
        int match(InetAddress addr) {
            byte[] b = addr.getAddress();
            if (b.length != prefix.length) {
                return -1;
            }
            int full = bits / 8;
            for (int i = 0; i < full; i++) {
                if (b[i] != prefix[i]) {
                    return -1;
                }
            }
            int rem = bits % 8;
            if (rem > 0) {
                int mask = (0xFF << (8 - rem)) & 0xFF;
                if ((b[full] & mask) != (prefix[full] & mask)) {
                    return -1;
                }
            }
            return bits;
        }
    }

    public static final FilterChainMatch ANY =
            new FilterChainMatch(0, List.of(), List.of(), "", List.of(), List.of(), List.of());

    public static FilterChainMatch compile(io.envoyproxy.envoy.config.listener.v3.FilterChainMatch m, String where) {
        if (m.getSourceType() != io.envoyproxy.envoy.config.listener.v3.FilterChainMatch.ConnectionSourceType.ANY) {
            throw new ConfigException(where + ": field 'source_type' is not supported");
        }
        if (m.getDirectSourcePrefixRangesCount() > 0) {
            throw new ConfigException(where + ": field 'direct_source_prefix_ranges' is not supported");
        }
        return new FilterChainMatch(
                m.hasDestinationPort() ? m.getDestinationPort().getValue() : 0,
                m.getPrefixRangesList().stream()
                        .map(r -> Cidr.compile(r, where + " prefix_ranges"))
                        .toList(),
                m.getServerNamesList().stream()
                        .map(s -> s.toLowerCase(Locale.ROOT))
                        .toList(),
                m.getTransportProtocol(),
                List.copyOf(m.getApplicationProtocolsList()),
                m.getSourcePrefixRangesList().stream()
                        .map(r -> Cidr.compile(r, where + " source_prefix_ranges"))
                        .toList(),
                List.copyOf(m.getSourcePortsList()));
    }

    /** Whether selecting among chains needs bytes from the connection (SNI, ALPN, transport protocol). */
    boolean needsInspection() {
        return !serverNames.isEmpty() || !transportProtocol.isEmpty() || !applicationProtocols.isEmpty();
    }
}
