package dev.trellis.proxy.server;

/**
 * The bridge between the xDS client and the proxy's managers ({@code dynamic_resources}: ADS for LDS, RDS, CDS, EDS).
 */
public final class DynamicConfig implements AutoCloseable {
    private DynamicConfig() {}

    static DynamicConfig start(ProxyServer server) {
        throw new dev.trellis.proxy.config.ConfigException("bootstrap: field 'dynamic_resources' is not supported yet");
    }

    public boolean initialFetchDone() {
        return true;
    }

    @Override
    public void close() {}
}
