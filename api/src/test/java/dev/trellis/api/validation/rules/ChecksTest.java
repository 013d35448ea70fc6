package dev.trellis.api.validation.rules;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The building blocks against the cases Istio's own tests use. */
class ChecksTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "foo, true",
        "*, true",
        "*.foo.com, true",
        "*foo.com, true",
        "foo.*.com, false",
        "a..b, false",
        "istio.io., true",
        "foo.123, false",
        "-bad.com, false",
        "'', false"
    })
    void wildcardDomain(String domain, boolean ok) {
        assertThat(Checks.wildcardDomain(domain) == null).isEqualTo(ok);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "10.0.0.1, true",
        "10.0.0.256, false",
        "010.0.0.1, false",
        "1.2.3, false",
        "::1, true",
        "2001:db8::1, true",
        "fe80::1%eth0, true",
        "[::1], false",
        "host, false"
    })
    void ips(String ip, boolean ok) {
        assertThat(Checks.isIp(ip)).isEqualTo(ok);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "10.0.0.0/8, true",
        "10.0.0.0/33, false",
        "2001:db8::/32, true",
        "2001:db8::/129, false",
        "10.0.0.0/, false"
    })
    void cidrs(String cidr, boolean ok) {
        assertThat(Checks.isCidr(cidr)).isEqualTo(ok);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "app | true",
                "app.kubernetes.io/name | true",
                "example.com/a_b.c | true",
                "bad key | false",
                "/name | false",
                "-app | false",
                "a/b/c | false"
            })
    void labelKeys(String key, boolean ok) {
        assertThat(Checks.labelKey(key) == null).isEqualTo(ok);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "plain | true",
                "%HOSTNAME% | true",
                "100%% | true",
                "prefix %HOSTNAME% suffix | true",
                "%REQ(x-foo)% | true",
                "%UPSTREAM_METADATA([\"ns\", \"key\"])% | true",
                "abc%123 | false",
                "%START_TIME%% | false",
                "50% | false"
            })
    void headerValues(String value, boolean ok) {
        assertThat(VirtualServiceRule.headerValue(value) == null).isEqualTo(ok);
    }

    @ParameterizedTest(name = "{0} ~ {1} -> {2}")
    @CsvSource({
        "a.com, a.com, true",
        "*.com, a.com, true",
        "*.a.com, *.com, true",
        "a.com, b.com, false",
        "*.a.com, b.com, false"
    })
    void hostMatches(String a, String b, boolean ok) {
        assertThat(Checks.hostMatches(a, b)).isEqualTo(ok);
        assertThat(Checks.hostMatches(b, a)).isEqualTo(ok);
    }
}
