package dev.trellis.proxy.http;

import dev.trellis.proxy.http2.Http2CodecStats;
import dev.trellis.proxy.stats.Stat;
import dev.trellis.proxy.stats.Stats;

/** {@code http.<stat_prefix>.*} stats of one connection manager. */
public final class HcmStats {
    public final Stat rqTotal;
    public final Stat rqActive;
    public final Stat rq1xx;
    public final Stat rq2xx;
    public final Stat rq3xx;
    public final Stat rq4xx;
    public final Stat rq5xx;
    public final Stat cxTotal;
    public final Stat cxActive;
    public final Stat cxHttp1Total;
    public final Stat cxHttp2Total;
    public final Stat rqTimeout;
    public final Stat rqIdleTimeout;
    public final Stat cxIdleTimeout;
    public final Stat cxMaxDurationReached;
    public final Stat rqHeadersTooLarge;
    public final Stat noRoute;
    public final Stat cxProtocolError;
    public final Stat upgradesFailed;
    /** Envoy's HTTP/2 codec stats of downstream connections ({@code http2.*}, not under the prefix). */
    public final Http2CodecStats.Lazy http2;

    public HcmStats(Stats s, String prefix) {
        rqTotal = s.counter("http", prefix, "downstream_rq_total");
        rqActive = s.gauge("http", prefix, "downstream_rq_active");
        rq1xx = s.counter("http", prefix, "downstream_rq_1xx");
        rq2xx = s.counter("http", prefix, "downstream_rq_2xx");
        rq3xx = s.counter("http", prefix, "downstream_rq_3xx");
        rq4xx = s.counter("http", prefix, "downstream_rq_4xx");
        rq5xx = s.counter("http", prefix, "downstream_rq_5xx");
        cxTotal = s.counter("http", prefix, "downstream_cx_total");
        cxActive = s.gauge("http", prefix, "downstream_cx_active");
        cxHttp1Total = s.counter("http", prefix, "downstream_cx_http1_total");
        cxHttp2Total = s.counter("http", prefix, "downstream_cx_http2_total");
        rqTimeout = s.counter("http", prefix, "downstream_rq_timeout");
        rqIdleTimeout = s.counter("http", prefix, "downstream_rq_idle_timeout");
        cxIdleTimeout = s.counter("http", prefix, "downstream_cx_idle_timeout");
        cxMaxDurationReached = s.counter("http", prefix, "downstream_cx_max_duration_reached");
        rqHeadersTooLarge = s.counter("http", prefix, "downstream_rq_too_large");
        noRoute = s.counter("http", prefix, "no_route");
        cxProtocolError = s.counter("http", prefix, "downstream_cx_protocol_error");
        upgradesFailed = s.counter("http", prefix, "downstream_rq_ws_on_non_ws_route");
        http2 = Http2CodecStats.downstream(s);
    }

    void responseCode(int code) {
        switch (code / 100) {
            case 1 -> rq1xx.inc();
            case 2 -> rq2xx.inc();
            case 3 -> rq3xx.inc();
            case 4 -> rq4xx.inc();
            case 5 -> rq5xx.inc();
            default -> {}
        }
    }
}
