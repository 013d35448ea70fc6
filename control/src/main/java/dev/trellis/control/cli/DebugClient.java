package dev.trellis.control.cli;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Reads the control plane's debug endpoints for the CLI, turning failures into one clear line. */
final class DebugClient {

    private final String base;

    DebugClient(String base) {
        this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    }

    String get(String path) throws IOException {
        try (HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build()) {
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(URI.create(base + path))
                            .timeout(Duration.ofSeconds(10))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IOException(r.body().strip());
            }
            return r.body();
        } catch (ConnectException e) {
            throw new IOException("cannot reach the control plane's monitoring port at " + base
                    + " (is `trellis control-plane` running? use --control-plane URL)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        } catch (IllegalArgumentException e) {
            throw new IOException("bad --control-plane URL " + base + ": " + e.getMessage());
        }
    }
}
