package dev.trellis.api.schema;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/** The spec schemas of Istio's kinds, loaded once from the shipped {@code istio-schema.json}. */
public final class IstioSchemas {

    /**
     * One Istio kind: its API group, the versions served, the Java record of its spec, whether the CRD requires a
     * {@code spec}, and the spec's schema.
     */
    public record KindSchema(
            String kind, String group, List<String> versions, String javaType, boolean specRequired, Schema spec) {}

    private static final Map<String, KindSchema> BY_KIND = load();

    private IstioSchemas() {}

    /** Istio kinds by kind name, in the model's order. */
    public static Map<String, KindSchema> all() {
        return BY_KIND;
    }

    /** The schema of a kind, or null when the kind is not an Istio kind of the model. */
    public static KindSchema of(String kind) {
        return BY_KIND.get(kind);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, KindSchema> load() {
        try (InputStream in = IstioSchemas.class.getResourceAsStream("istio-schema.json")) {
            if (in == null) {
                throw new IllegalStateException("istio-schema.json is missing from the classpath");
            }
            String json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            Map<String, Object> root = (Map<String, Object>) new Load(LoadSettings.builder()
                            .setCodePointLimit(Integer.MAX_VALUE)
                            .build())
                    .loadFromString(json);
            Map<String, KindSchema> out = new LinkedHashMap<>();
            root.forEach((kind, v) -> {
                Map<String, Object> m = (Map<String, Object>) v;
                out.put(
                        kind,
                        new KindSchema(
                                kind,
                                (String) m.get("group"),
                                List.copyOf((List<String>) m.get("versions")),
                                (String) m.get("javaType"),
                                Boolean.TRUE.equals(m.get("specRequired")),
                                new Schema((Map<String, Object>) m.get("spec"))));
            });
            return java.util.Collections.unmodifiableMap(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
