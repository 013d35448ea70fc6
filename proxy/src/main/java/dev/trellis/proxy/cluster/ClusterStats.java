package dev.trellis.proxy.cluster;

import dev.trellis.proxy.http2.Http2CodecStats;
import dev.trellis.proxy.stats.Stat;
import dev.trellis.proxy.stats.Stats;

/** The per-cluster stats Envoy names {@code cluster.<name>.*}, looked up once per cluster. */
public final class ClusterStats {
    public final Stat rqTotal;
    public final Stat rq2xx;
    public final Stat rq3xx;
    public final Stat rq4xx;
    public final Stat rq5xx;
    public final Stat rqActive;
    public final Stat rqTimeout;
    public final Stat rqPendingOverflow;
    public final Stat rqPendingActive;
    public final Stat cxTotal;
    public final Stat cxActive;
    public final Stat cxConnectFail;
    public final Stat cxConnectTimeout;
    public final Stat cxOverflow;
    public final Stat cxDestroy;
    public final Stat membershipHealthy;
    public final Stat membershipTotal;
    public final Stat noHealthyUpstream;
    /** Envoy's HTTP/2 codec stats of this cluster's upstream connections ({@code cluster.<name>.http2.*}). */
    public final Http2CodecStats.Lazy http2;

    public ClusterStats(Stats s, String name) {
        rqTotal = s.counter("cluster", name, "upstream_rq_total");
        rq2xx = s.counter("cluster", name, "upstream_rq_2xx");
        rq3xx = s.counter("cluster", name, "upstream_rq_3xx");
        rq4xx = s.counter("cluster", name, "upstream_rq_4xx");
        rq5xx = s.counter("cluster", name, "upstream_rq_5xx");
        rqActive = s.gauge("cluster", name, "upstream_rq_active");
        rqTimeout = s.counter("cluster", name, "upstream_rq_timeout");
        rqPendingOverflow = s.counter("cluster", name, "upstream_rq_pending_overflow");
        rqPendingActive = s.gauge("cluster", name, "upstream_rq_pending_active");
        cxTotal = s.counter("cluster", name, "upstream_cx_total");
        cxActive = s.gauge("cluster", name, "upstream_cx_active");
        cxConnectFail = s.counter("cluster", name, "upstream_cx_connect_fail");
        cxConnectTimeout = s.counter("cluster", name, "upstream_cx_connect_timeout");
        cxOverflow = s.counter("cluster", name, "upstream_cx_overflow");
        cxDestroy = s.counter("cluster", name, "upstream_cx_destroy");
        membershipHealthy = s.gauge("cluster", name, "membership_healthy");
        membershipTotal = s.gauge("cluster", name, "membership_total");
        noHealthyUpstream = s.counter("cluster", name, "upstream_cx_none_healthy");
        http2 = Http2CodecStats.upstream(s, name);
    }

    public void responseCode(int code) {
        switch (code / 100) {
            case 2 -> rq2xx.inc();
            case 3 -> rq3xx.inc();
            case 4 -> rq4xx.inc();
            case 5 -> rq5xx.inc();
            default -> {}
        }
    }
}
