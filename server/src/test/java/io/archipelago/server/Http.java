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
        if (body != null && body.length() > io.archipelago.server.api.ApiServer.MAX_BODY_BYTES) {
            return announceOnly(method, path, token, body.getBytes(java.nio.charset.StandardCharsets.UTF_8).length, headers);
        }
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

    /**
     * Sends a request that announces a body too large for the server ({@code Content-Length} and
     * {@code Expect: 100-continue}, as a well-behaved client uploading a large body does) and reads the
     * answer without sending the body. Sending it would race the server, which answers 413 and closes
     * the connection while the upload is still in flight; the client's socket may then be reset before
     * it has read the answer. (The JDK 17 HttpClient's own expect-continue hangs on a final answer.)
     */
    private Res announceOnly(String method, String path, String token, int length, String... headers) {
        URI u = URI.create(base + path);
        try (java.net.Socket s = new java.net.Socket(u.getHost(), u.getPort())) {
            s.setSoTimeout(30_000);
            StringBuilder req = new StringBuilder(method).append(' ').append(u.getRawPath())
                    .append(u.getRawQuery() == null ? "" : "?" + u.getRawQuery()).append(" HTTP/1.1\r\n")
                    .append("Host: ").append(u.getHost()).append(':').append(u.getPort()).append("\r\n")
                    .append("Content-Length: ").append(length).append("\r\nExpect: 100-continue\r\nConnection: close\r\n");
            if (token != null) {
                req.append("Authorization: Bearer ").append(token).append("\r\n");
            }
            boolean ct = false;
            for (int i = 0; i + 1 < headers.length; i += 2) {
                req.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
                ct |= headers[i].equalsIgnoreCase("Content-Type");
            }
            if (!ct) {
                req.append("Content-Type: application/json\r\n");
            }
            s.getOutputStream().write(req.append("\r\n").toString().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            java.io.DataInputStream in = new java.io.DataInputStream(new java.io.BufferedInputStream(s.getInputStream()));
            String status = line(in);
            Map<String, java.util.List<String>> hs = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            for (String h = line(in); !h.isEmpty(); h = line(in)) {
                int c = h.indexOf(':');
                hs.computeIfAbsent(h.substring(0, c).trim(), k -> new java.util.ArrayList<>()).add(h.substring(c + 1).trim());
            }
            byte[] body;
            if (hs.containsKey("Content-Length")) {
                body = new byte[Integer.parseInt(hs.get("Content-Length").get(0))];
                in.readFully(body);
            } else {
                body = in.readAllBytes();
            }
            String text = new String(body, java.nio.charset.StandardCharsets.UTF_8);
            JsonNode j = null;
            try {
                j = text.isEmpty() ? null : JSON.readTree(text);
            } catch (IOException ignored) {
                // not JSON
            }
            return new Res(Integer.parseInt(status.split(" ")[1]), hs, text, j);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String line(java.io.DataInputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        for (int c = in.read(); c != -1 && c != '\n'; c = in.read()) {
            if (c != '\r') {
                b.append((char) c);
            }
        }
        return b.toString();
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
