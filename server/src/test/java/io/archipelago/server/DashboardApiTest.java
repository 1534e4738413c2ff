package io.archipelago.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the dashboard reads from the server, at the API: the live stream (who hears what), the results
 * folder (listing, study curves, files, and nothing outside it), newest-first job lists, and the fleet's
 * live economics.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardApiTest {
    @TempDir
    static Path root;

    private final Map<String, ApiIntegrationTest.Env> envs = new LinkedHashMap<>();

    ApiIntegrationTest.Env env(String kind) {
        return envs.computeIfAbsent(kind, k -> ApiIntegrationTest.Env.start(TestDatabases.config(k, root.resolve(k)).withDemo(true)
                .withAcceleration(1000).withResultsDir(TestResults.write(root.resolve("results-" + k)))));
    }

    @AfterAll
    void stop() {
        envs.values().forEach(e -> e.server().close());
    }

    /** Server-sent events read for {@code ms}: each as [event, data]. */
    static List<String[]> events(String base, String token, long ms, Runnable meanwhile) throws Exception {
        HttpClient c = HttpClient.newHttpClient();
        HttpRequest r = HttpRequest.newBuilder(URI.create(base + "/api/v1/stream")).header("Authorization", "Bearer " + token)
                .header("Accept", "text/event-stream").GET().build();
        HttpResponse<InputStream> res = c.send(r, HttpResponse.BodyHandlers.ofInputStream());
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        List<String[]> out = new ArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(res.body(), StandardCharsets.UTF_8))) {
                String event = null;
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    if (line.startsWith("event:")) {
                        event = line.substring(6).trim();
                    } else if (line.startsWith("data:")) {
                        synchronized (out) {
                            out.add(new String[] {event, line.substring(5).trim()});
                        }
                    }
                }
            } catch (IOException closed) {
                // the stream was closed by us
            }
        });
        reader.setDaemon(true);
        reader.start();
        Thread.sleep(300);
        meanwhile.run();
        Thread.sleep(ms);
        res.body().close();
        reader.interrupt();
        synchronized (out) {
            return new ArrayList<>(out);
        }
    }

    @Test
    void aTenantsStreamCarriesOnlyItsOwnJobChangesAndNoFleetWhileTheOperatorsCarriesBoth() throws Exception {
        ApiIntegrationTest.Env e = env(TestDatabases.H2);
        String acme = e.tenant("acme-ai");
        String globex = e.tenant("globex-labs");
        List<String[]> tenantEvents = events(e.server().baseUrl(), acme, 2500, () -> {
            e.created(globex, ApiIntegrationTest.CPU_JOB);
            e.created(acme, ApiIntegrationTest.CPU_JOB);
        });
        assertThat(tenantEvents).isNotEmpty();
        assertThat(tenantEvents.get(0)[0]).isEqualTo("hello");
        JsonNode hello = Http.JSON.readTree(tenantEvents.get(0)[1]);
        assertThat(hello.get("name").asText()).isEqualTo("acme-ai");
        assertThat(hello.get("role").asText()).isEqualTo("tenant");
        assertThat(hello.get("history")).isEmpty();
        assertThat(tenantEvents).noneMatch(ev -> ev[0].equals("fleet"));
        List<String> jobEvents = tenantEvents.stream().filter(ev -> ev[0].equals("jobs")).map(ev -> ev[1]).toList();
        assertThat(jobEvents).isNotEmpty().allMatch(d -> d.equals("{\"tenants\":[\"acme-ai\"]}"));

        String[] metrics = new String[1];
        List<String[]> opEvents = events(e.server().baseUrl(), e.operator(), 2500, () -> {
            e.created(globex, ApiIntegrationTest.CPU_JOB);
            metrics[0] = e.http().get("/metrics", null).text();
        });
        assertThat(metrics[0]).as("the open stream is counted").containsPattern("(?m)^archipelago_dashboard_streams [1-9]");
        assertThat(opEvents.get(0)[0]).isEqualTo("hello");
        assertThat(Http.JSON.readTree(opEvents.get(0)[1]).get("history")).isNotEmpty();
        JsonNode fleet = Http.JSON.readTree(opEvents.stream().filter(ev -> ev[0].equals("fleet")).findFirst().orElseThrow()[1]);
        assertThat(fleet.get("sites")).hasSize(ApiIntegrationTest.SITES.size());
        assertThat(fleet.get("regionNames").get("ap-southeast-1").asText()).isEqualTo("Singapore");
        assertThat(opEvents.stream().filter(ev -> ev[0].equals("jobs")).map(ev -> ev[1])).anyMatch(d -> d.contains("globex-labs"));
    }

    @Test
    void theFleetCarriesLiveRevenueAndCostPerSite() {
        ApiIntegrationTest.Env e = env(TestDatabases.H2);
        String acme = e.tenant("acme-ai");
        JsonNode job = e.created(acme, ApiIntegrationTest.JobSpec.cpu(2000, 4096).gpus(2, 1000).models("H200").duration(3600).json());
        String site = job.get("placement").get("site").asText();
        JsonNode s = ApiIntegrationTest.Env.await(() -> e.http().get("/api/v1/fleet", e.operator()).json(),
                f -> siteOf(f, site).get("revenueUsdPerHour").asDouble() > 0, "revenue on " + site);
        JsonNode st = siteOf(s, site);
        // two on-demand H200s earn the price book's on-demand H200 price each, every hour (other jobs may run there too)
        assertThat(st.get("revenueUsdPerHour").asDouble()).isGreaterThanOrEqualTo(2 * 6.0);
        assertThat(st.get("costUsdPerHour").asDouble()).isPositive();
        for (JsonNode x : s.get("sites")) {
            assertThat(x.get("costUsdPerHour").asDouble()).as("every site costs something: %s", x.get("name")).isPositive();
        }
        assertThat(s.get("queuedByOrigin").has("any")).isTrue();
        e.cancel(acme, job.get("id").asLong());
    }

    private static JsonNode siteOf(JsonNode fleet, String site) {
        for (JsonNode x : fleet.get("sites")) {
            if (x.get("name").asText().equals(site)) {
                return x;
            }
        }
        throw new AssertionError("no site " + site + " in " + fleet);
    }

    @Test
    void resultsListTheFoldersServeTheirFilesAndCurvesAndNothingElse() {
        ApiIntegrationTest.Env e = env(TestDatabases.H2);
        String acme = e.tenant("acme-ai");
        Http h = e.http();
        JsonNode list = h.get("/api/v1/results", acme).json();
        assertThat(list.get("results")).hasSize(2);
        assertThat(list.get("results").get(0).get("name").asText()).isEqualTo(TestResults.STUDY);
        assertThat(list.get("results").get(0).get("kind").asText()).isEqualTo("fgd-study");
        assertThat(list.get("results").get(1).get("kind").asText()).isEqualTo("simulation");
        assertThat(list.get("results").get(1).get("files").findValuesAsText("name")).containsExactly("report.html", "summary.json");

        JsonNode curves = h.get("/api/v1/results/" + TestResults.STUDY + "/curves", acme).json();
        assertThat(curves.get("x")).hasSize(131);
        JsonNode series = curves.get("workloads").get(0).get("series");
        assertThat(curves.get("workloads").get(0).get("workload").asText()).isEqualTo("default");
        assertThat(series.findValuesAsText("policy")).containsExactly("01-BestFit", "06-FGD");
        // TestResults: allocation min(x, 90 + 5p + seed), two seeds
        assertThat(series.get(0).get("seeds").asInt()).isEqualTo(2);
        assertThat(series.get(0).get("y").get(50).asDouble()).isEqualTo(50.0);
        assertThat(series.get(0).get("y").get(130).asDouble()).isEqualTo(90.5);
        assertThat(series.get(1).get("y").get(130).asDouble()).isEqualTo(95.5);

        Http.Res report = h.get("/api/v1/results/" + TestResults.SIMULATION + "/files/report.html", acme);
        assertThat(report.status()).isEqualTo(200);
        assertThat(report.contentType()).startsWith("text/html");
        assertThat(report.text()).contains(TestResults.REPORT_MARKER);
        assertThat(report.header("Content-Security-Policy")).as("a result document never runs with the dashboard's origin").startsWith("sandbox");
        assertThat(report.header("X-Content-Type-Options")).isEqualTo("nosniff");

        assertThat(h.get("/api/v1/results/" + TestResults.SIMULATION + "/curves", acme).status()).isEqualTo(422);
        assertThat(h.get("/api/v1/results/nope/curves", acme).status()).isEqualTo(404);
        assertThat(h.get("/api/v1/results/" + TestResults.STUDY + "/files/missing.csv", acme).status()).isEqualTo(404);
        for (String bad : List.of("..", ".hidden", "%2e%2e", "a%2Fb", "..%2F..%2Fdata")) {
            Http.Res r = h.get("/api/v1/results/" + TestResults.STUDY + "/files/" + bad, acme);
            assertThat(r.status()).as("file %s: %s", bad, r.text()).isIn(400, 404);
            assertThat(r.contentType()).startsWith("application/problem+json");
        }
        assertThat(h.get("/api/v1/results/..%2Fdata/files/operator-token", acme).status()).isIn(400, 404);
        assertThat(h.get("/api/v1/results", null).status()).isEqualTo(401);
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void jobsListNewestFirstAndPageBackwards(String kind) {
        ApiIntegrationTest.Env e = env(kind);
        Http.Res created = e.http().post("/api/v1/tenants", e.operator(), "{\"name\":\"newest-" + kind + "\"}");
        String token = created.json().get("token").asText();
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(e.created(token, ApiIntegrationTest.CPU_JOB).get("id").asLong());
        }
        List<Long> seen = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = e.http().get("/api/v1/jobs?order=newest&limit=2" + (cursor == null ? "" : "&cursor=" + cursor), token).json();
            page.get("jobs").forEach(j -> seen.add(j.get("id").asLong()));
            cursor = page.get("next_cursor").isNull() ? null : page.get("next_cursor").asText();
        } while (cursor != null);
        List<Long> newestFirst = new ArrayList<>(ids);
        java.util.Collections.reverse(newestFirst);
        assertThat(seen).containsExactlyElementsOf(newestFirst);
        Http.Res bad = e.http().get("/api/v1/jobs?order=sideways", token);
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("field").asText()).isEqualTo("order");
    }

    @Test
    void theDashboardAndUplotAreServedWithoutAToken() {
        ApiIntegrationTest.Env e = env(TestDatabases.H2);
        Http.Res index = e.http().get("/", null);
        assertThat(index.status()).isEqualTo(200);
        assertThat(index.contentType()).startsWith("text/html");
        assertThat(index.text()).contains("<script src=\"/app.js\"></script>");
        assertThat(index.header("X-Frame-Options")).isEqualTo("DENY");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("/webjars/uplot/[^\"]+\\.js").matcher(index.text());
        assertThat(m.find()).as("index.html loads uPlot from its WebJar").isTrue();
        Http.Res uplot = e.http().get(m.group(), null);
        assertThat(uplot.status()).as("%s is on the classpath (uplot.version in the pom matches index.html)", m.group()).isEqualTo(200);
        assertThat(e.http().get("/app.js", null).text()).contains("/api/v1/stream");
    }
}
