package dev.trellis.proxy.http.filter;

import dev.trellis.proxy.http.HttpStream;
import io.netty.handler.codec.http.HttpResponse;

/**
 * A per-stream HTTP filter. Decoding runs in chain order on the request headers; a filter that answers the request
 * itself ({@link HttpStream#sendLocalReply}) returns {@link Status#STOP}. Encoding runs in reverse order on the
 * response headers. Body hooks arrive with the first filter that needs them.
 */
public interface HttpFilter {
    enum Status {
        CONTINUE,
        STOP
    }

    default Status onRequestHeaders(HttpStream stream) {
        return Status.CONTINUE;
    }

    default void onResponseHeaders(HttpStream stream, HttpResponse response) {}

    /** The stream ended (response complete or reset); release anything held. */
    default void onDestroy(HttpStream stream) {}
}
