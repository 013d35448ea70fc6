package dev.trellis.proxy.filter.fault;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.trellis.proxy.config.ConfigException;
import dev.trellis.proxy.config.Fields;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.envoyproxy.envoy.type.v3.FractionalPercent;
import java.util.Set;

/** A compiled {@code HTTPFault}: delay and abort, each with a probability in parts per million. */
public record FaultConfig(long delayMs, int delayPpm, int abortHttp, int abortGrpc, int abortPpm) {
    public static final FaultConfig NONE = new FaultConfig(0, 0, 0, -1, 0);

    static FaultConfig parse(Any any, String where) {
        HTTPFault f;
        try {
            f = dev.trellis.proxy.config.Fields.unpack(any, HTTPFault.class);
        } catch (InvalidProtocolBufferException e) {
            throw new ConfigException(where + ": cannot decode HTTPFault: " + e.getMessage());
        }
        Fields.requireOnly(f, where, Set.of("delay", "abort", "max_active_faults"));
        long delay = 0;
        int delayPpm = 0;
        if (f.hasDelay()) {
            if (!f.getDelay().hasFixedDelay()) {
                throw new ConfigException(where + " delay: only fixed_delay is supported");
            }
            delay = Fields.millis(f.getDelay().getFixedDelay());
            delayPpm = ppm(f.getDelay().getPercentage(), f.getDelay().hasPercentage());
        }
        int http = 0;
        int grpc = -1;
        int abortPpm = 0;
        if (f.hasAbort()) {
            var a = f.getAbort();
            switch (a.getErrorTypeCase()) {
                case HTTP_STATUS -> {
                    http = a.getHttpStatus();
                    if (http < 200 || http >= 600) {
                        throw new ConfigException(where + " abort: http_status " + http + " is not in [200, 600)");
                    }
                }
                case GRPC_STATUS -> grpc = a.getGrpcStatus();
                default -> throw new ConfigException(where + " abort: http_status or grpc_status is required");
            }
            abortPpm = ppm(a.getPercentage(), a.hasPercentage());
        }
        return new FaultConfig(delay, delayPpm, http, grpc, abortPpm);
    }

    static int ppm(FractionalPercent p, boolean has) {
        if (!has) {
            return 1_000_000;
        }
        long scale =
                switch (p.getDenominator()) {
                    case HUNDRED -> 10_000;
                    case TEN_THOUSAND -> 100;
                    case MILLION -> 1;
                    default -> 1;
                };
        return (int) Math.min(1_000_000, p.getNumerator() * scale);
    }
}
