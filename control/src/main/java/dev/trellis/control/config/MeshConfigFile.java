package dev.trellis.control.config;

import dev.trellis.api.codec.Nodes;
import dev.trellis.control.model.LocalityLbSetting;
import dev.trellis.control.model.MeshSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * Istio's MeshConfig, the part Trellis reads, from a file: the MeshConfig YAML itself, or Istio's {@code istio}
 * ConfigMap with the MeshConfig under {@code data.mesh}. Read: {@code trustDomain}, {@code rootNamespace},
 * {@code outboundTrafficPolicy.mode} and {@code localityLbSetting} (validated as Istio does: {@code distribute} and
 * {@code failover} exclusive, weights of one {@code from} summing to 100, failover between two different regions).
 * Other MeshConfig fields are accepted and listed as not used; a field of the wrong type is an error naming file, line
 * and field, and nothing of the file is applied then.
 */
public final class MeshConfigFile {

    /**
     * What reading a mesh config gave.
     *
     * @param settings the settings (the defaults for every field not given); null when there are errors
     * @param errors problems that reject the file
     * @param warnings fields that are valid MeshConfig but not used by Trellis
     */
    public record Result(MeshSettings settings, List<String> errors, List<String> warnings) {
        public Result {
            errors = List.copyOf(errors);
            warnings = List.copyOf(warnings);
        }
    }

    private static final Set<String> READ =
            Set.of("trustDomain", "rootNamespace", "outboundTrafficPolicy", "localityLbSetting");

    private final String file;
    private final List<String> errors = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();

    private MeshConfigFile(String file) {
        this.file = file;
    }

    public static Result load(Path path) throws IOException {
        return parse(path.toString(), Files.readString(path, StandardCharsets.UTF_8), MeshSettings.DEFAULT);
    }

    /** Parses {@code text} (named {@code file} in messages) over {@code base}. */
    public static Result parse(String file, String text, MeshSettings base) {
        MeshConfigFile p = new MeshConfigFile(file);
        MeshSettings out = p.read(text, base);
        return new Result(p.errors.isEmpty() ? out : null, p.errors, p.warnings);
    }

    private MeshSettings read(String text, MeshSettings base) {
        Node root;
        try {
            root = new Compose(LoadSettings.builder().setLabel(file).build())
                    .composeString(text)
                    .orElse(null);
        } catch (YamlEngineException e) {
            errors.add(
                    file + ": not YAML: " + e.getMessage().lines().findFirst().orElse(""));
            return base;
        }
        if (root == null || Nodes.isNull(root)) {
            return base;
        }
        if (!(root instanceof MappingNode)) {
            error(root, "", "must be an object (a MeshConfig or the istio ConfigMap)");
            return base;
        }
        // Istio's ConfigMap: the MeshConfig is YAML text under data.mesh.
        if ("ConfigMap".equals(Nodes.string(Nodes.get(root, "kind")))) {
            Node mesh = Nodes.get(Nodes.get(root, "data"), "mesh");
            String inner = Nodes.string(mesh);
            if (inner == null) {
                error(root, "data.mesh", "the istio ConfigMap must hold the MeshConfig as text under data.mesh");
                return base;
            }
            return new MeshConfigFile(file + " data.mesh").readInto(this, inner, base);
        }
        MeshSettings out = base;
        for (NodeTuple t : ((MappingNode) root).getValue()) {
            String key = Nodes.keyText(t.getKeyNode());
            Node v = t.getValueNode();
            if (!READ.contains(key)) {
                warnings.add(at(t.getKeyNode()) + key + ": not used by Trellis");
                continue;
            }
            switch (key) {
                case "trustDomain" -> {
                    String s = string(v, key);
                    if (s != null) {
                        out = out.withTrustDomain(s);
                    }
                }
                case "rootNamespace" -> {
                    String s = string(v, key);
                    if (s != null) {
                        out = new MeshSettings(
                                out.trustDomain(), out.domainSuffix(), s, out.outboundPolicy(), out.localityLb());
                    }
                }
                case "outboundTrafficPolicy" -> {
                    String mode = string(Nodes.get(v, "mode"), "outboundTrafficPolicy.mode");
                    if (mode != null) {
                        try {
                            out = out.withOutboundPolicy(MeshSettings.OutboundTrafficPolicy.valueOf(mode));
                        } catch (IllegalArgumentException e) {
                            error(
                                    Nodes.get(v, "mode"),
                                    "outboundTrafficPolicy.mode",
                                    "must be ALLOW_ANY or REGISTRY_ONLY");
                        }
                    }
                }
                case "localityLbSetting" -> {
                    LocalityLbSetting l = locality(v);
                    if (l != null) {
                        out = out.withLocalityLb(l);
                    }
                }
                default -> {}
            }
        }
        return out;
    }

    /** Reads a nested document, reporting into {@code outer}. */
    private MeshSettings readInto(MeshConfigFile outer, String text, MeshSettings base) {
        MeshSettings s = read(text, base);
        outer.errors.addAll(errors);
        outer.warnings.addAll(warnings);
        return s;
    }

    private LocalityLbSetting locality(Node v) {
        String path = "localityLbSetting";
        if (!(v instanceof MappingNode m)) {
            error(v, path, "must be an object");
            return null;
        }
        Boolean enabled = null;
        List<LocalityLbSetting.Distribute> distribute = new ArrayList<>();
        List<LocalityLbSetting.Failover> failover = new ArrayList<>();
        List<String> priority = new ArrayList<>();
        for (NodeTuple t : m.getValue()) {
            String key = Nodes.keyText(t.getKeyNode());
            Node n = t.getValueNode();
            String p = path + "." + key;
            switch (key) {
                case "enabled" -> {
                    enabled = Nodes.booleanValue(n);
                    if (enabled == null) {
                        error(n, p, "must be true or false, not " + Nodes.describe(n));
                    }
                }
                case "distribute" -> {
                    int i = 0;
                    for (Node d : list(n, p)) {
                        String dp = p + "[" + i++ + "]";
                        String from = string(Nodes.get(d, "from"), dp + ".from");
                        Map<String, Integer> to = new LinkedHashMap<>();
                        int sum = 0;
                        Node toNode = Nodes.get(d, "to");
                        if (toNode instanceof MappingNode tm) {
                            for (NodeTuple w : tm.getValue()) {
                                String loc = Nodes.keyText(w.getKeyNode());
                                Long weight =
                                        w.getValueNode() instanceof ScalarNode s ? Nodes.parseLong(s.getValue()) : null;
                                if (weight == null || weight < 0 || weight > 100) {
                                    error(w.getValueNode(), dp + ".to." + loc, "must be a weight from 0 to 100");
                                    continue;
                                }
                                to.put(loc, weight.intValue());
                                sum += weight.intValue();
                            }
                        } else {
                            error(d, dp + ".to", "must map localities to weights");
                        }
                        if (from == null || from.isEmpty()) {
                            error(d, dp + ".from", "is required");
                        }
                        if (!to.isEmpty() && sum != 100) {
                            error(toNode, dp + ".to", "weights must add up to 100, not " + sum);
                        }
                        distribute.add(new LocalityLbSetting.Distribute(from, to));
                    }
                }
                case "failover" -> {
                    int i = 0;
                    for (Node f : list(n, p)) {
                        String fp = p + "[" + i++ + "]";
                        String from = string(Nodes.get(f, "from"), fp + ".from");
                        String to = string(Nodes.get(f, "to"), fp + ".to");
                        if (from != null && from.equals(to)) {
                            error(f, fp, "from and to must be different regions");
                        }
                        if ((from != null && from.contains("/")) || (to != null && to.contains("/"))) {
                            error(f, fp, "failover names regions only (no '/')");
                        }
                        failover.add(new LocalityLbSetting.Failover(from, to));
                    }
                }
                case "failoverPriority" -> {
                    int i = 0;
                    for (Node s : list(n, p)) {
                        String label = string(s, p + "[" + i++ + "]");
                        if (label != null) {
                            priority.add(label);
                        }
                    }
                }
                default -> error(t.getKeyNode(), p, "unknown field");
            }
        }
        if (!distribute.isEmpty() && !failover.isEmpty()) {
            error(v, path, "distribute and failover cannot both be set");
        }
        return new LocalityLbSetting(enabled, distribute, failover, priority);
    }

    private List<Node> list(Node n, String path) {
        if (n instanceof SequenceNode s) {
            return s.getValue();
        }
        if (!Nodes.isNull(n)) {
            error(n, path, "must be a list");
        }
        return List.of();
    }

    private String string(Node n, String path) {
        if (n == null || Nodes.isNull(n)) {
            return null;
        }
        String s = Nodes.string(n);
        if (s == null) {
            error(n, path, "must be a string, not " + Nodes.describe(n));
        }
        return s;
    }

    private String at(Node n) {
        int line = n == null ? 0 : Nodes.line(n);
        return file + (line > 0 ? ":" + line : "") + ": ";
    }

    private void error(Node n, String path, String message) {
        errors.add(at(n) + (path.isEmpty() ? "" : path + ": ") + message);
    }
}
