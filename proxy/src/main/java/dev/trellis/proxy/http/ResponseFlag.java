package dev.trellis.proxy.http;

/** Envoy's response flags: why the proxy produced or cut a response. */
public enum ResponseFlag {
    NR("no route"),
    NC("cluster not found"),
    UH("no healthy upstream"),
    UF("upstream connection failure"),
    UO("upstream overflow"),
    UC("upstream connection termination"),
    UR("upstream remote reset"),
    UT("upstream request timeout"),
    DC("downstream connection termination"),
    DPE("downstream protocol error"),
    SI("stream idle timeout"),
    LR("local reset"),
    DF("drain"),
    UPE("upstream protocol error"),
    DT("downstream request timeout"),
    FI("fault injected abort"),
    DI("fault injected delay");

    private final String description;

    ResponseFlag(String description) {
        this.description = description;
    }

    public String description() {
        return description;
    }
}
