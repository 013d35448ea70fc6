package dev.trellis.proxy.cluster;

/** Which HTTP version to speak upstream ({@code HttpProtocolOptions} explicit / use-downstream / auto). */
public enum UpstreamProtocol {
    HTTP1,
    HTTP2,
    USE_DOWNSTREAM
}
