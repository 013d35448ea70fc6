package dev.trellis.xds.node;

import java.util.Objects;

/**
 * Istio's node id, {@code <type>~<ip>~<pod>.<namespace>~<namespace>.svc.<domain>}: for example
 * {@code sidecar~10.0.0.1~productpage-v1-abc.default~default.svc.cluster.local}.
 *
 * @param type what kind of proxy
 * @param ip the workload's first IP
 * @param id {@code <name>.<namespace>}
 * @param dnsDomain {@code <namespace>.svc.<cluster domain>}
 */
public record NodeId(NodeType type, String ip, String id, String dnsDomain) {

    public NodeId {
        Objects.requireNonNull(type, "type");
        ip = Objects.requireNonNullElse(ip, "");
        id = Objects.requireNonNullElse(id, "");
        dnsDomain = Objects.requireNonNullElse(dnsDomain, "");
    }

    /** Parses an Istio node id; throws {@link IllegalArgumentException} naming what is wrong. */
    public static NodeId parse(String text) {
        String[] parts = text.split("~", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("node id '" + text + "' is not type~ip~name.namespace~domain");
        }
        if (parts[2].isEmpty()) {
            throw new IllegalArgumentException("node id '" + text + "' has an empty name");
        }
        return new NodeId(NodeType.fromText(parts[0]), parts[1], parts[2], parts[3]);
    }

    /** Parses {@code text} if it is an Istio node id, else null (grpc-java's default ids, hand-written ones). */
    public static NodeId tryParse(String text) {
        try {
            return parse(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** The workload (pod) name: the part of {@link #id} before the last dot, or all of it. */
    public String name() {
        int dot = id.lastIndexOf('.');
        return dot < 0 ? id : id.substring(0, dot);
    }

    /** The namespace: the part of {@link #id} after the last dot, else the first label of the DNS domain. */
    public String namespace() {
        int dot = id.lastIndexOf('.');
        if (dot >= 0 && dot < id.length() - 1) {
            return id.substring(dot + 1);
        }
        int d = dnsDomain.indexOf('.');
        return d > 0 ? dnsDomain.substring(0, d) : "";
    }

    @Override
    public String toString() {
        return type.text() + "~" + ip + "~" + id + "~" + dnsDomain;
    }
}
