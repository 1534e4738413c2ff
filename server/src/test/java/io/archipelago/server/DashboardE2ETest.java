package io.archipelago.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard, end to end: a real headless Chromium (Debian's chromium and chromium-driver, which
 * {@code bash .ci/run} installs) driven by Selenium against a real server on 127.0.0.1 with the demo fleet
 * and demo tenants. The tests run in order on one server and one browser: first on a quiet fleet (so a
 * job's GPU share is the only one on its GPU), then with the demo traffic running (thousands of jobs), where
 * the overview's first paint is measured.
 *
 * <p>Screenshots of every page go to {@code server/target/dashboard-screenshots/} (docs/dashboard.md shows
 * them), with {@code timings.json}: the overview's first contentful paint and time to the rendered fleet,
 * per load.
 *
 * <p>Run: {@code ./mvnw -q -B -o -pl server test -Dtest=DashboardE2ETest -Dsurefire.failIfNoSpecifiedTests=false}
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardE2ETest {
    static final Path SHOTS = Path.of("target", "dashboard-screenshots");
    static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    static Path root;

    private ApiIntegrationTest.Env env;
    private WebDriver browser;
    private String base;
    private DemoDriver demo;

    @BeforeAll
    void start() throws IOException {
        env = ApiIntegrationTest.Env.start(TestDatabases.config(TestDatabases.H2, root.resolve("data")).withDemo(true).withAcceleration(600)
                .withResultsDir(TestResults.write(root.resolve("results"))));
        base = env.server().baseUrl();
        browser = chromium(root.resolve("chromium-profile"));
        Files.createDirectories(SHOTS);
    }

    @AfterAll
    void stop() {
        if (demo != null) {
            demo.close();
        }
        if (browser != null) {
            browser.quit();
        }
        if (env != null) {
            env.server().close();
        }
    }

    /** Debian's Chromium, headless, with the flags this machine's closed network needs; a clear failure when it is missing. */
    static WebDriver chromium(Path profile) {
        String bin = System.getenv().getOrDefault("ARCHIPELAGO_CHROMIUM", "/usr/bin/chromium");
        String drv = System.getenv().getOrDefault("ARCHIPELAGO_CHROMEDRIVER", "/usr/bin/chromedriver");
        if (!new File(bin).canExecute() || !new File(drv).canExecute()) {
            throw new IllegalStateException("the dashboard tests need Chromium and its driver (" + bin + ", " + drv + "); run 'bash .ci/run' "
                    + "(it installs Debian's chromium and chromium-driver) or set ARCHIPELAGO_CHROMIUM and ARCHIPELAGO_CHROMEDRIVER");
        }
        ChromeOptions o = new ChromeOptions();
        o.setBinary(bin);
        o.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--window-size=1440,1000",
                "--user-data-dir=" + profile.toAbsolutePath());
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(drv)).usingAnyFreePort().build();
        return new ChromeDriver(service, o);
    }

    // ------------------------------------------------------------------ helpers

    private <T> T until(String what, Function<WebDriver, T> condition) {
        return new WebDriverWait(browser, WAIT).withMessage(what).pollingEvery(Duration.ofMillis(100))
                .ignoring(org.openqa.selenium.StaleElementReferenceException.class).until(condition);
    }

    private void open(String hash) {
        browser.get(base + "/" + hash);
    }

    private void login(String token, String expectedName) {
        open("#/login");
        if (!browser.findElements(By.id("logout")).isEmpty() && browser.findElement(By.id("logout")).isDisplayed()) {
            browser.findElement(By.id("logout")).click();
        }
        WebElement input = until("the login form", d -> d.findElement(By.id("token")));
        input.clear();
        input.sendKeys(token);
        browser.findElement(By.id("login-btn")).click();
        until("logged in as " + expectedName, d -> d.findElement(By.id("whoami")).getText().startsWith(expectedName + " ("));
    }

    /** Clicks the element, finding it again if the page re-rendered it in between. */
    private void click(By by) {
        until("click " + by, d -> {
            d.findElement(by).click();
            return true;
        });
    }

    /** An attribute of the element, read in one step (live pages re-render). */
    private String attr(By by, String name) {
        return until(name + " of " + by, d -> d.findElements(by).stream().findFirst().map(e -> e.getAttribute(name)).orElse(null));
    }

    /** The text of the element, read in one step. */
    private String text(By by) {
        return until("text of " + by, d -> d.findElements(by).stream().findFirst().map(WebElement::getText).orElse(null));
    }

    private void shot(String name) {
        try {
            Files.write(SHOTS.resolve(name + ".png"), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Object js(String script, Object... args) {
        return ((JavascriptExecutor) browser).executeScript(script, args);
    }

    // ------------------------------------------------------------------ tests

    @Test
    @Order(1)
    void theLoginRefusesABadTokenAndTheOverviewShowsEveryDemoSite() {
        open("#/login");
        until("the login form", d -> d.findElement(By.id("token"))).sendKeys("ap_not-a-real-token");
        browser.findElement(By.id("login-btn")).click();
        until("the refusal", d -> d.findElement(By.id("login-error")).getText().contains("not valid"));
        assertThat(browser.findElement(By.id("whoami")).getText()).isEmpty();
        shot("login");

        login(env.operator(), "operator");
        until("the overview", d -> d.getCurrentUrl().endsWith("#/overview"));
        @SuppressWarnings("unchecked")
        List<String> names = until("nine site cards", d -> {
            List<String> n = (List<String>) js("return [...document.querySelectorAll('[data-site]')].map(e => e.dataset.site)");
            return n.size() == ApiIntegrationTest.SITES.size() ? n : null;
        });
        assertThat(names).containsExactlyInAnyOrderElementsOf(ApiIntegrationTest.SITES);
        assertThat(browser.findElements(By.cssSelector("[data-region]"))).hasSize(6);
        assertThat(browser.findElements(By.cssSelector("[data-map-region]"))).hasSize(6);
        assertThat(text(By.id("kpi-allocation"))).contains("%");
        until("the live stream", d -> "on".equals(d.findElement(By.id("live-status")).getAttribute("data-live")));
        assertThat(js("return typeof uPlot")).as("uPlot is served from its WebJar").isEqualTo("function");
        assertThat(browser.findElements(By.cssSelector("#fleet-chart canvas"))).isNotEmpty();
    }

    private long gpuJobOnManila(String token, String name) {
        JsonNode job = env.created(token, ApiIntegrationTest.JobSpec.cpu(2000, 4096).gpus(1, 500).regions("ap-southeast-6").name(name)
                .duration(360_000).json());
        return job.get("id").asLong();
    }

    @Test
    @Order(2)
    void aJobSubmittedThroughTheApiAppearsLiveAndTheHeatMapShowsItsGpuShare() {
        String acme = env.tenant("acme-ai");
        login(acme, "acme-ai");
        until("the jobs page", d -> d.getCurrentUrl().endsWith("#/jobs"));
        until("the jobs table", d -> d.findElement(By.cssSelector("#jobs-table tbody")));
        long id = gpuJobOnManila(acme, "live-e2e");
        // no reload: the row arrives through the server-sent event stream
        By row = By.cssSelector("tr[data-job='" + id + "']");
        assertThat(attr(row, "data-state")).isEqualTo("running");
        assertThat(text(row)).contains("live-e2e").contains("MNL");
        shot("jobs");
        // the region filter lists the fleet's six regions (and "any")
        assertThat(browser.findElements(By.cssSelector("#f-region option"))).hasSize(7);

        click(row);
        until("the job page", d -> d.findElement(By.id("job-detail")).getAttribute("data-job").equals(String.valueOf(id)));
        JsonNode job = env.job(acme, id);
        String site = job.get("placement").get("site").asText();
        String node = job.get("placement").get("tasks").get(0).get("node").asText();
        int gpu = job.get("placement").get("tasks").get(0).get("gpus").get(0).asInt();
        assertThat(browser.findElement(By.id("job-site")).getText()).isEqualTo(site);
        assertThat(browser.findElement(By.id("explanation-summary")).getText()).contains("placed on " + node).contains("site score");
        assertThat(browser.findElements(By.cssSelector("#job-events tr[data-event='placed']"))).hasSize(1);
        click(By.id("explain-now"));
        // the job may go to either Manila site; the other four regions' sites are rejected by its residency rule
        until("the per-site explanation", d -> d.findElements(By.cssSelector("#dry-run tr[data-site-verdict]")).size() == 9);
        assertThat(browser.findElement(By.cssSelector("#dry-run tr[data-site-verdict='MNL-A']")).getText()).contains("candidate");
        assertThat(browser.findElement(By.cssSelector("#dry-run tr[data-site-verdict='SIN-A']")).getText()).contains("rejected");
        shot("job");

        login(env.operator(), "operator");
        open("#/sites/" + site);
        By cell = By.cssSelector("[data-node='" + node + "'] .gpu[data-gpu='" + gpu + "']");
        // the fleet is quiet: this job's 500 milli-GPU is the only share on that GPU
        assertThat(attr(cell, "data-milli")).isEqualTo("500");
        assertThat(attr(cell, "class")).contains("part");
        assertThat(attr(By.cssSelector("[data-node='" + node + "']"), "data-tasks")).isEqualTo("1");
        shot("site");
    }

    @Test
    @Order(3)
    void aTenantCannotSeeAnotherTenantsJob() {
        String globex = env.tenant("globex-labs");
        long theirs = gpuJobOnManila(globex, "globex-secret");
        String acme = env.tenant("acme-ai");
        login(acme, "acme-ai");
        @SuppressWarnings("unchecked")
        List<String> tenants = until("acme's jobs", d -> {
            List<String> t = (List<String>) js("return [...document.querySelectorAll('#jobs-table tr[data-job]')].map(e => e.dataset.tenant)");
            return t.isEmpty() ? null : t;
        });
        assertThat(tenants).containsOnly("acme-ai");
        assertThat(browser.findElements(By.cssSelector("tr[data-job='" + theirs + "']"))).isEmpty();
        assertThat(browser.findElement(By.id("nav")).findElement(By.cssSelector("[data-nav='overview']")).isDisplayed()).isFalse();

        open("#/jobs/" + theirs);
        WebElement err = until("the refusal", d -> d.findElements(By.id("view-error")).stream().findFirst().orElse(null));
        assertThat(err.getText()).contains("not found");
        assertThat(browser.getPageSource()).doesNotContain("globex-secret");
        shot("tenant-isolation");

        // the operator sees it
        login(env.operator(), "operator");
        open("#/jobs/" + theirs);
        until("globex's job for the operator", d -> d.findElement(By.id("job-detail")).getText().contains("globex-secret"));
    }

    @Test
    @Order(4)
    void anOperatorDrainIsConfirmedAndShowsUp() {
        String acme = env.tenant("acme-ai");
        long id = gpuJobOnManila(acme, "to-be-drained");
        JsonNode job = env.job(acme, id);
        String site = job.get("placement").get("site").asText();
        String node = job.get("placement").get("tasks").get(0).get("node").asText();
        login(env.operator(), "operator");
        open("#/sites/" + site);
        By drain = By.cssSelector("[data-node='" + node + "'] button[data-action='drain']");
        click(drain);
        WebElement dialog = until("the confirmation", d -> d.findElement(By.id("confirm")).isDisplayed() ? d.findElement(By.id("confirm")) : null);
        assertThat(dialog.getText()).contains("Drain " + node);
        shot("drain-confirm");
        browser.findElement(By.id("confirm-cancel")).click();
        assertThat(env.http().get("/api/v1/sites/" + site + "/nodes", env.operator()).text()).contains("\"name\":\"" + node + "\",\"site\":\""
                + site + "\",\"state\":\"ready\"");

        click(drain);
        until("the confirmation", d -> d.findElement(By.id("confirm")).isDisplayed());
        browser.findElement(By.id("confirm-ok")).click();
        until(node + " cordoned in the heat map", d -> "cordoned".equals(d.findElement(By.cssSelector("[data-node='" + node + "']"))
                .getAttribute("data-state")));
        until(node + " emptied", d -> d.findElement(By.cssSelector("[data-node='" + node + "']")).getAttribute("data-tasks").equals("0"));
        assertThat(browser.findElements(By.cssSelector("[data-node='" + node + "'] button[data-action='uncordon']"))).hasSize(1);
        shot("drain");
        // the drained job was requeued and placed again, elsewhere
        JsonNode after = ApiIntegrationTest.Env.await(() -> env.job(acme, id), j -> j.get("attempts").asInt() == 2 && j.get("state").asText().equals(
                "running"), "job " + id + " placed again after the drain");
        assertThat(after.get("placement").get("tasks").get(0).get("node").asText()).isNotEqualTo(node);
        assertThat(env.http().post("/api/v1/nodes/" + node + "/uncordon", env.operator(), null).status()).isEqualTo(200);
    }

    @Test
    @Order(5)
    void resultsShowTheStudyCurvesAndTheSimulationReport() {
        login(env.operator(), "operator");
        open("#/results");
        until("two results", d -> d.findElements(By.cssSelector("[data-result]")).size() == 2);
        assertThat(browser.findElement(By.cssSelector("[data-result='" + TestResults.STUDY + "']")).getAttribute("data-kind")).isEqualTo("fgd-study");
        shot("results");
        click(By.linkText(TestResults.STUDY));
        WebElement chart = until("the curves", d -> d.findElements(By.cssSelector("#curves canvas")).isEmpty() ? null : d.findElement(By.id("curves")));
        assertThat(chart.getAttribute("data-workload")).isEqualTo("default");
        assertThat(chart.getAttribute("data-series")).isEqualTo("2");
        assertThat(chart.getText()).contains("01-BestFit (2 seeds)").contains("06-FGD (2 seeds)");
        shot("results-study");

        open("#/results/" + TestResults.SIMULATION);
        WebElement frame = until("the report", d -> d.findElements(By.id("report")).stream().findFirst().orElse(null));
        browser.switchTo().frame(frame);
        until("the report's heading", d -> d.findElement(By.tagName("h1")).getText().equals(TestResults.REPORT_MARKER));
        browser.switchTo().defaultContent();
    }

    @Test
    @Order(6)
    void theOverviewPaintsFastWithTheDemoTrafficRunning() throws IOException, InterruptedException {
        var loaded = env.server().scenario();
        // submitted four times faster than the server's clock runs them down: the fleet fills and the jobs pile up quickly
        demo = new DemoDriver(loaded.workload(), loaded.tenants().stream().map(t -> t.name()).toList(), env.demo(), base, 2400,
                24 * 3_600_000L, System::currentTimeMillis).start();
        // thousands of jobs in the database, and the fleet busy
        long deadline = System.nanoTime() + 120_000_000_000L;
        long newest = 0;
        while (newest < 2000) {
            assertThat(System.nanoTime()).as("2,000 jobs within 2 minutes; newest job %d", newest).isLessThan(deadline);
            JsonNode j = env.http().get("/api/v1/jobs?order=newest&limit=1", env.operator()).json();
            newest = j.get("jobs").size() == 1 ? j.get("jobs").get(0).get("id").asLong() : 0;
            Thread.sleep(250);
        }
        login(env.operator(), "operator");
        StringBuilder timings = new StringBuilder("[");
        List<Double> paints = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            browser.get(base + "/?load=" + i + "#/overview");
            until("nine site cards", d -> d.findElements(By.cssSelector("[data-site]")).size() == 9);
            Object fcp = js("const e = performance.getEntriesByName('first-contentful-paint')[0]; return e ? e.startTime : null;");
            Object rendered = js("const e = performance.getEntriesByName('overview-rendered')[0]; return e ? e.startTime : null;");
            assertThat(fcp).as("first contentful paint is reported").isNotNull();
            assertThat(rendered).as("the overview marks its first render").isNotNull();
            paints.add(((Number) fcp).doubleValue());
            timings.append(i == 0 ? "" : ",").append(String.format(Locale.ROOT, "{\"first_contentful_paint_ms\":%.1f,\"fleet_rendered_ms\":%.1f}",
                    ((Number) fcp).doubleValue(), ((Number) rendered).doubleValue()));
        }
        Files.writeString(SHOTS.resolve("timings.json"), timings.append("]\n"));
        until("the fleet chart", d -> !d.findElements(By.cssSelector("#fleet-chart canvas")).isEmpty());
        Thread.yield();
        shot("overview");
        open("#/jobs");
        until("a page of 50 jobs", d -> d.findElements(By.cssSelector("#jobs-table tr[data-job]")).size() == 50);
        shot("jobs-operator");
        String busiest = env.http().get("/api/v1/fleet", env.operator()).json().get("sites").get(3).get("name").asText();
        open("#/sites/" + busiest);
        until("the heat map", d -> d.findElements(By.cssSelector("[data-node]")).size() > 10);
        shot("site-busy");
        assertThat(paints).hasSize(5);
    }
}
