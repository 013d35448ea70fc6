package dev.trellis.control.xds;

import dev.trellis.control.model.Proxy;

/** Told when proxies connect and disconnect (WorkloadGroup auto-registration listens). */
public interface ConnectionListener {

    void connected(String conId, Proxy proxy);

    void disconnected(String conId, Proxy proxy);
}
