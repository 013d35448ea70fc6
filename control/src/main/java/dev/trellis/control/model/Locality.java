package dev.trellis.control.model;

import java.util.Objects;

/**
 * Where a workload runs: {@code region/zone/subzone}, each part optional, as Istio's {@code locality} strings and
 * Envoy's Locality.
 */
public record Locality(String region, String zone, String subZone) implements Comparable<Locality> {

    public static final Locality NONE = new Locality("", "", "");

    public Locality {
        region = Objects.requireNonNullElse(region, "");
        zone = Objects.requireNonNullElse(zone, "");
        subZone = Objects.requireNonNullElse(subZone, "");
    }

    /** Parses {@code us-east1/us-east1-b/rack1}; missing parts are empty. */
    public static Locality parse(String text) {
        if (text == null || text.isBlank()) {
            return NONE;
        }
        String[] p = text.strip().split("/", 3);
        return new Locality(p[0], p.length > 1 ? p[1] : "", p.length > 2 ? p[2] : "");
    }

    @Override
    public int compareTo(Locality o) {
        return toString().compareTo(o.toString());
    }

    @Override
    public String toString() {
        if (subZone.isEmpty()) {
            return zone.isEmpty() ? region : region + "/" + zone;
        }
        return region + "/" + zone + "/" + subZone;
    }
}
