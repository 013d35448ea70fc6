package dev.trellis.proxy.route;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.proxy.lb.Hashes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Envoy's cookie hash policy: hash an existing cookie, or make one (with a ttl) and set it on the response. */
class HashPolicyCookieTest {
    static final HashPolicy STICKY = new HashPolicy(
            HashPolicy.Kind.COOKIE,
            "session",
            false,
            new HashPolicy.CookieSpec(3600, "/", List.of(Map.entry("SameSite", "Strict"), Map.entry("Secure", ""))));

    @Test
    void anExistingCookieIsHashedAndNothingIsSet() {
        List<String> set = new ArrayList<>();
        Long h = HashPolicy.compute(
                List.of(STICKY), FakeRequest.of("x", "/", "cookie", "a=1; session=\"abc\"; b=2"), set::add);
        assertThat(h).isEqualTo(Hashes.xx64("abc"));
        assertThat(set).isEmpty();
    }

    @Test
    void aMissingCookieIsMadeFromTheConnectionAndSetOnTheResponse() {
        List<String> set = new ArrayList<>();
        Long h = HashPolicy.compute(List.of(STICKY), FakeRequest.of("x", "/"), set::add);
        // Envoy: hex of xxHash64 over remote then local address.
        String value = String.format("%016x", Hashes.xx64("10.1.2.3:5555" + "10.9.9.9:8080"));
        assertThat(set)
                .containsExactly("session=\"" + value + "\"; Max-Age=3600; Path=/; SameSite=Strict; Secure; HttpOnly");
        assertThat(h).isEqualTo(Hashes.xx64(value));
        // The next request carries the cookie and lands on the same hash: the session sticks.
        assertThat(HashPolicy.compute(List.of(STICKY), FakeRequest.of("x", "/", "cookie", "session=" + value)))
                .isEqualTo(h);
    }

    @Test
    void withoutTtlNoCookieIsMadeAndNoHashProduced() {
        List<String> set = new ArrayList<>();
        var plain = new HashPolicy(HashPolicy.Kind.COOKIE, "session", false);
        assertThat(HashPolicy.compute(List.of(plain), FakeRequest.of("x", "/"), set::add))
                .isNull();
        assertThat(set).isEmpty();
    }

    @Test
    void aZeroTtlMakesASessionCookie() {
        List<String> set = new ArrayList<>();
        var session = new HashPolicy(HashPolicy.Kind.COOKIE, "s", false, new HashPolicy.CookieSpec(0, "", List.of()));
        HashPolicy.compute(List.of(session), FakeRequest.of("x", "/"), set::add);
        assertThat(set).singleElement().asString().matches("s=\"[0-9a-f]{16}\"; HttpOnly");
    }

    @Test
    void compiledFromTheRouteConfiguration() throws Exception {
        RouteTable t = RouteTableTest.compile("""
                {"name":"r","virtual_hosts":[{"name":"v","domains":["*"],"routes":[
                  {"match":{"prefix":"/"},"route":{"cluster":"c",
                     "hash_policy":[{"cookie":{"name":"user","ttl":"60s","path":"/app"}}]}}]}]}""");
        Route.Forward f = (Route.Forward)
                t.virtualHost("x").route(FakeRequest.of("x", "/")).action();
        List<String> set = new ArrayList<>();
        HashPolicy.compute(f.hashPolicies(), FakeRequest.of("x", "/"), set::add);
        assertThat(set).singleElement().asString().matches("user=\"[0-9a-f]{16}\"; Max-Age=60; Path=/app; HttpOnly");
    }
}
