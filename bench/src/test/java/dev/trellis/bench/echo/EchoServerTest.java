package dev.trellis.bench.echo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trellis.testing.LeakCheck;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@ExtendWith(LeakCheck.class)
@Timeout(30)
class EchoServerTest {

    static EchoServer server;
    static HttpClient h1;
    static HttpClient h2;

    @BeforeAll
    static void start() throws Exception {
        server = EchoServer.start("127.0.0.1", 0, EchoServer.Mode.HTTP, 1);
        h1 = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        h2 = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_2)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    @AfterAll
    static void stop() {
        h1.close();
        h2.close();
        server.close();
    }

    URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + server.port() + pathAndQuery);
    }

    enum Version {
        HTTP_1_1,
        H2C_UPGRADE
    }

    HttpClient client(Version v) {
        return v == Version.HTTP_1_1 ? h1 : h2;
    }

    String expectedProtocol(Version v) {
        return v == Version.HTTP_1_1 ? "HTTP/1.1" : "HTTP/2.0";
    }

    @ParameterizedTest
    @EnumSource(Version.class)
    void echoesTheBody(Version v) throws Exception {
        // JDK's client upgrades to h2c only on a request without a body: warm the connection first.
        client(v).send(HttpRequest.newBuilder(uri("/")).build(), HttpResponse.BodyHandlers.discarding());
        HttpResponse<String> r = client(v)
                .send(
                        HttpRequest.newBuilder(uri("/echo"))
                                .header("content-type", "text/x-test")
                                .POST(HttpRequest.BodyPublishers.ofString("hello trellis"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("hello trellis");
        assertThat(r.headers().firstValue("content-type")).hasValue("text/x-test");
        assertThat(r.headers().firstValue("x-echo-protocol")).hasValue(expectedProtocol(v));
        assertThat(r.headers().firstValue("x-echo-method")).hasValue("POST");
    }

    @ParameterizedTest
    @EnumSource(Version.class)
    void emptyBodyAnswersWithRequestInfoAsJson(Version v) throws Exception {
        HttpResponse<String> r = client(v)
                .send(
                        HttpRequest.newBuilder(uri("/info?x=1"))
                                .header("x-test", "yes")
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode json = new ObjectMapper().readTree(r.body());
        assertThat(json.get("method").asText()).isEqualTo("GET");
        assertThat(json.get("uri").asText()).isEqualTo("/info?x=1");
        assertThat(json.get("headers").get("x-test").asText()).isEqualTo("yes");
        assertThat(json.get("remote").asText()).contains("127.0.0.1");
    }

    @ParameterizedTest
    @EnumSource(Version.class)
    void sizeStatusAndHeaderParameters(Version v) throws Exception {
        HttpResponse<byte[]> r = client(v)
                .send(
                        HttpRequest.newBuilder(uri("/?size=100000&status=418&header=X-Extra:two"))
                                .build(),
                        HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).isEqualTo(418);
        assertThat(r.body()).hasSize(100_000);
        assertThat(r.headers().firstValue("x-extra")).hasValue("two");
    }

    @ParameterizedTest
    @EnumSource(Version.class)
    void delayParameterDelaysTheResponse(Version v) throws Exception {
        long start = System.nanoTime();
        HttpResponse<String> r = client(v)
                .send(HttpRequest.newBuilder(uri("/?delay=300ms")).build(), HttpResponse.BodyHandlers.ofString());
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(tookMs).isGreaterThanOrEqualTo(300);
    }

    @ParameterizedTest
    @EnumSource(Version.class)
    void badParameterIs400NamingIt(Version v) throws Exception {
        HttpResponse<String> r = client(v)
                .send(HttpRequest.newBuilder(uri("/?status=nope")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("status=nope");
    }

    @Test
    void statusMixOverManyRequests() throws Exception {
        int errors = 0;
        for (int i = 0; i < 200; i++) {
            HttpResponse<Void> r = h1.send(
                    HttpRequest.newBuilder(uri("/?status=503:50")).build(), HttpResponse.BodyHandlers.discarding());
            assertThat(r.statusCode()).isIn(200, 503);
            errors += r.statusCode() == 503 ? 1 : 0;
        }
        assertThat(errors).isBetween(60, 140);
    }

    @Test
    void closeParameterClosesTheConnection() throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write("GET /?close=true HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String all = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            // readAllBytes returns only at end of stream, which is the server closing.
            assertThat(all).startsWith("HTTP/1.1 200 OK").contains("connection: close");
        }
    }

    @Test
    void keepAliveServesPipelinedRequestsInOrderDespiteDelays() throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(("GET /?delay=200ms&status=201 HTTP/1.1\r\nHost: x\r\n\r\n"
                            + "GET /?status=202 HTTP/1.1\r\nHost: x\r\n\r\n"
                            + "GET /?status=203&close=true HTTP/1.1\r\nHost: x\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String all = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            int a = all.indexOf("HTTP/1.1 201");
            int b = all.indexOf("HTTP/1.1 202");
            int c = all.indexOf("HTTP/1.1 203");
            assertThat(a).isGreaterThanOrEqualTo(0);
            assertThat(b).isGreaterThan(a);
            assertThat(c).isGreaterThan(b);
        }
    }

    @Test
    void tcpModeEchoesBytes() throws Exception {
        try (EchoServer tcp = EchoServer.start("127.0.0.1", 0, EchoServer.Mode.TCP, 1);
                Socket s = new Socket("127.0.0.1", tcp.port())) {
            s.setSoTimeout(5000);
            byte[] payload = new byte[256 * 1024];
            for (int i = 0; i < payload.length; i++) {
                payload[i] = (byte) i;
            }
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    s.getOutputStream().write(payload);
                    s.shutdownOutput();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            InputStream in = s.getInputStream();
            byte[] back = in.readNBytes(payload.length);
            writer.join();
            assertThat(back).isEqualTo(payload);
        }
    }
}
