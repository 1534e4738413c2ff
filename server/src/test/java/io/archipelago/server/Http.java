package io.archipelago.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** A tiny JSON HTTP client for the integration tests. */
public final class Http {
    public static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;

    public Http(String base) {
        this.base = base;
    }

    /** A response: status, headers, body text, and the body parsed as JSON (null when not JSON). */
    public record Res(int status, Map<String, java.util.List<String>> headers, String text, JsonNode json) {
        public String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name)).map(e -> e.getValue().get(0)).findFirst()
                    .orElse(null);
        }

        public String contentType() {
            return header("Content-Type");
        }
    }

    public Res send(String method, String path, String token, String body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        boolean ct = false;
        for (int i = 0; i + 1 < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
            ct |= headers[i].equalsIgnoreCase("Content-Type");
        }
        if (body != null && !ct) {
            b.header("Content-Type", "application/json");
        }
        try {
            HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode j = null;
            try {
                j = r.body().isEmpty() ? null : JSON.readTree(r.body());
            } catch (IOException ignored) {
                // not JSON
            }
            return new Res(r.statusCode(), r.headers().map(), r.body(), j);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Opens a server-sent event stream and returns its headers and its first event (the text up to the first
     * blank line), then closes it; fails after 10 s without one.
     */
    public Res firstEvent(String path, String token) {
        HttpRequest r = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10)).header("Accept", "text/event-stream")
                .header("Authorization", "Bearer " + token).GET().build();
        try {
            HttpResponse<java.io.InputStream> res = client.send(r, HttpResponse.BodyHandlers.ofInputStream());
            StringBuilder b = new StringBuilder();
            try (java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(res.body(),
                    java.nio.charset.StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null && !(line.isEmpty() && b.length() > 0); line = in.readLine()) {
                    b.append(line).append('\n');
                }
            }
            return new Res(res.statusCode(), res.headers().map(), b.toString(), null);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public Res get(String path, String token) {
        return send("GET", path, token, null);
    }

    public Res post(String path, String token, String body, String... headers) {
        return send("POST", path, token, body, headers);
    }

    public Res delete(String path, String token) {
        return send("DELETE", path, token, null);
    }
}
