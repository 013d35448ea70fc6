package dev.trellis.proxy.http.filter;

import dev.trellis.proxy.filter.router.RouterFilterFactory;
import java.util.LinkedHashMap;
import java.util.Map;

/** Filter factories by type URL. New filters add one line here. */
public final class HttpFilterRegistry {
    private final Map<String, HttpFilterFactory<?>> factories = new LinkedHashMap<>();

    public static HttpFilterRegistry defaults() {
        HttpFilterRegistry r = new HttpFilterRegistry();
        r.register(new dev.trellis.proxy.filter.fault.FaultFilterFactory());
        r.register(new dev.trellis.proxy.filter.cors.CorsFilterFactory());
        r.register(new RouterFilterFactory());
        return r;
    }

    public void register(HttpFilterFactory<?> f) {
        factories.put(f.typeUrl(), f);
    }

    public HttpFilterFactory<?> get(String typeUrl) {
        return factories.get(typeUrl);
    }

    public Iterable<String> typeUrls() {
        return factories.keySet();
    }

    /** A compiled filter: its factory and config, ready to make per-stream instances. */
    public record Configured<C>(String name, HttpFilterFactory<C> factory, C config) {
        public HttpFilter create() {
            return factory.create(config, name);
        }
    }
}
