package dev.trellis.proxy.filter.fault;

import com.google.protobuf.Any;
import dev.trellis.proxy.http.HttpStream;
import dev.trellis.proxy.http.ResponseFlag;
import dev.trellis.proxy.http.filter.HttpFilter;
import dev.trellis.proxy.http.filter.HttpFilterFactory;
import dev.trellis.proxy.server.ProxyContext;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/** {@code envoy.filters.http.fault}. */
public final class FaultFilterFactory implements HttpFilterFactory<FaultConfig> {
    public static final String TYPE_URL = "type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault";

    /** Per-route configs, parsed once (keyed by the Any's content). */
    private static final Map<Any, FaultConfig> PER_ROUTE = new ConcurrentHashMap<>();

    @Override
    public String typeUrl() {
        return TYPE_URL;
    }

    @Override
    public FaultConfig parse(Any config, String where, ProxyContext context) {
        return FaultConfig.parse(config, where);
    }

    @Override
    public HttpFilter create(FaultConfig config, String filterName) {
        return new HttpFilter() {
            @Override
            public Status onRequestHeaders(HttpStream s) {
                FaultConfig c = config;
                Any perRoute = s.perFilterConfig(filterName);
                if (perRoute != null) {
                    c = PER_ROUTE.computeIfAbsent(perRoute, a -> {
                        try {
                            return FaultConfig.parse(a, "route typed_per_filter_config '" + filterName + "'");
                        } catch (RuntimeException e) {
                            return FaultConfig.NONE;
                        }
                    });
                }
                ThreadLocalRandom r = ThreadLocalRandom.current();
                boolean delay = c.delayMs() > 0 && r.nextInt(1_000_000) < c.delayPpm();
                boolean abort = (c.abortHttp() > 0 || c.abortGrpc() >= 0) && r.nextInt(1_000_000) < c.abortPpm();
                if (!delay && !abort) {
                    return Status.CONTINUE;
                }
                FaultConfig fc = c;
                if (delay) {
                    s.addFlag(ResponseFlag.DI);
                    s.eventLoop()
                            .schedule(
                                    () -> {
                                        if (abort) {
                                            abort(s, fc);
                                        } else {
                                            s.resumeRequest();
                                        }
                                    },
                                    c.delayMs(),
                                    TimeUnit.MILLISECONDS);
                    return Status.STOP;
                }
                abort(s, fc);
                return Status.STOP;
            }
        };
    }

    private static void abort(HttpStream s, FaultConfig c) {
        if (c.abortGrpc() >= 0) {
            // gRPC: a trailers-only response, HTTP 200 with grpc-status.
            DefaultHttpHeaders h = new DefaultHttpHeaders();
            h.set("grpc-status", Integer.toString(c.abortGrpc()));
            h.set("grpc-message", "fault filter abort");
            h.set("content-type", "application/grpc");
            s.sendLocalReply(200, ResponseFlag.FI, new byte[0], "application/grpc", h);
            return;
        }
        s.sendLocalReply(c.abortHttp(), ResponseFlag.FI, "fault filter abort");
    }
}
