package dev.trellis.proxy.route;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.BoolValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption.HeaderAppendAction;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Envoy's append semantics for header additions. */
class HeaderMutationTest {
    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of(opt(null, HeaderAppendAction.APPEND_IF_EXISTS_OR_ADD), true, List.of("old", "new")),
                Arguments.of(opt(null, HeaderAppendAction.APPEND_IF_EXISTS_OR_ADD), false, List.of("new")),
                Arguments.of(opt(null, HeaderAppendAction.ADD_IF_ABSENT), true, List.of("old")),
                Arguments.of(opt(null, HeaderAppendAction.ADD_IF_ABSENT), false, List.of("new")),
                Arguments.of(opt(null, HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD), true, List.of("new")),
                Arguments.of(opt(null, HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD), false, List.of("new")),
                Arguments.of(opt(null, HeaderAppendAction.OVERWRITE_IF_EXISTS), true, List.of("new")),
                Arguments.of(opt(null, HeaderAppendAction.OVERWRITE_IF_EXISTS), false, List.of()),
                // The deprecated 'append' wins over append_action when set.
                Arguments.of(opt(true, HeaderAppendAction.OVERWRITE_IF_EXISTS), true, List.of("old", "new")),
                Arguments.of(opt(false, HeaderAppendAction.APPEND_IF_EXISTS_OR_ADD), true, List.of("new")));
    }

    static HeaderValueOption opt(Boolean append, HeaderAppendAction action) {
        HeaderValueOption.Builder b = HeaderValueOption.newBuilder()
                .setHeader(HeaderValue.newBuilder().setKey("X-H").setValue("new"))
                .setAppendAction(action);
        if (append != null) {
            b.setAppend(BoolValue.of(append));
        }
        return b.build();
    }

    @ParameterizedTest
    @MethodSource("cases")
    void appendSemantics(HeaderValueOption o, boolean present, List<String> expected) {
        HttpHeaders h = new DefaultHttpHeaders();
        if (present) {
            h.add("x-h", "old");
        }
        HeaderMutation.compile(List.of(o), List.of(), "test").apply(h, null);
        assertThat(h.getAll("x-h")).isEqualTo(expected);
    }

    @ParameterizedTest
    @MethodSource("cases")
    void removeHappensBeforeAdd(HeaderValueOption o, boolean present, List<String> expected) {
        HttpHeaders h = new DefaultHttpHeaders();
        h.add("x-gone", "1");
        HeaderMutation.compile(List.of(), List.of("X-Gone"), "test").apply(h, null);
        assertThat(h.contains("x-gone")).isFalse();
    }

    @org.junit.jupiter.api.Test
    void formatterOperators() {
        HttpHeaders h = new DefaultHttpHeaders();
        HeaderMutation.compile(
                        List.of(HeaderValueOption.newBuilder()
                                .setHeader(HeaderValue.newBuilder()
                                        .setKey("x-client")
                                        .setValue("%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT% via %REQ(x-a)% 100%%"))
                                .build()),
                        List.of(),
                        "test")
                .apply(h, FakeRequest.of("x", "/", "x-a", "va"));
        assertThat(h.get("x-client")).isEqualTo("10.1.2.3 via va 100%");
    }
}
