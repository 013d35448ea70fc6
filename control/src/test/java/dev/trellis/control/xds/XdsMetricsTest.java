package dev.trellis.control.xds;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.control.push.XdsCache;
import org.junit.jupiter.api.Test;

/** The cache of resources kept across pushes shows in the metrics as Istio's pilot_xds_cache_*. */
class XdsMetricsTest {

    @Test
    void cacheReadsAndSizeAreRendered() {
        XdsCache cache = new XdsCache();
        XdsCache.Key a = push -> true;
        XdsCache.Key b = push -> true;
        cache.get(a, () -> "a");
        cache.get(a, () -> "a");
        cache.get(a, () -> "a");
        cache.get(b, () -> "b");
        StringBuilder sb = new StringBuilder();
        new XdsMetrics(() -> cache).render(sb);
        assertThat(sb.toString())
                .contains("pilot_xds_cache_reads{type=\"hit\"} 2\n")
                .contains("pilot_xds_cache_reads{type=\"miss\"} 2\n")
                .contains("pilot_xds_cache_size 2\n");
        StringBuilder none = new StringBuilder();
        new XdsMetrics().render(none);
        assertThat(none.toString()).doesNotContain("pilot_xds_cache");
    }
}
