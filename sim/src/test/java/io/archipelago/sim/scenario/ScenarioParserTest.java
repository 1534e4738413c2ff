package io.archipelago.sim.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Specification of the scenario file format: what parses into which records, and every way a file is rejected. */
class ScenarioParserTest {

    private static final String SRC = "scenarios/test.yaml";

    /** Lines 2-5: a 4-node, 32-GPU generated fleet. */
    private static final String FLEET = String.join("\n",
            "fleet:",
            "  kind: generated",
            "  node_types:",
            "    - {count: 4, gpus: 8, gpu_model: H100, cpu: 96, memory_gib: 768}",
            "");

    /** Lines 6-10 after {@link #FLEET}: a small generated workload. */
    private static final String WORKLOAD = String.join("\n",
            "workload:",
            "  kind: generated",
            "  tasks: 1000",
            "  arrivals: {process: poisson, rate_per_s: 40}",
            "  durations: {distribution: lognormal, median: 10m, sigma: 1.5}",
            "");

    /** A valid 10-line scenario. */
    private static final String BASE = "name: test\n" + FLEET + WORKLOAD;

    /** {@link #BASE} plus {@code lines}, which start at line 11. */
    private static String top(String... lines) {
        return BASE + String.join("\n", lines) + "\n";
    }

    /** A scenario whose fleet block ({@code lines}) starts at line 2. */
    private static String fleet(String... lines) {
        return "name: test\n" + String.join("\n", lines) + "\n" + WORKLOAD;
    }

    /** A scenario whose workload block ({@code lines}) starts at line 6. */
    private static String workload(String... lines) {
        return "name: test\n" + FLEET + String.join("\n", lines) + "\n";
    }

    private static Scenario parse(String text) {
        return ScenarioParser.parse(text, SRC);
    }

    private static ScenarioException fails(String text) {
        Throwable t = catchThrowable(() -> ScenarioParser.parse(text, SRC));
        assertThat(t).as("expected a ScenarioException for:%n%s", text).isInstanceOf(ScenarioException.class);
        return (ScenarioException) t;
    }

    private static final long MIN = 60_000;
    private static final long HOUR = 60 * MIN;
    private static final long DAY = 24 * HOUR;

    // ---------------------------------------------------------------- positive cases

    @Test
    void fullExampleParsesIntoTheExpectedRecords() {
        String text = String.join("\n",
                "name: multi-tenant-h100",
                "description: |",
                "  Two tenants on a generated H100/L40S fleet.",
                "seed: 7",
                "horizon: 7d",
                "fleet:",
                "  kind: generated",
                "  sites: 2",
                "  rdma_per_node: 200",
                "  node_types:",
                "    - {count: 64, gpus: 8, gpu_model: H100, cpu: 96, memory_gib: 768}",
                "    - {count: 16, gpus: 4, gpu_model: L40S, cpu: 48.5, memory_gib: 0.5}",
                "    - {count: 8, gpus: 0, cpu: 64, memory_gib: 256}",
                "workload:",
                "  kind: generated",
                "  tasks: 5_000_000",
                "  arrivals: {process: bursty, rate_per_s: 10, burst_rate_per_s: 200, burst_every: 1h, burst_length: 5m}",
                "  durations: {distribution: lognormal, median: 10m, sigma: 1.5, max: 7d}",
                "  shapes:",
                "    - {cpu: 8, memory_gib: 32, gpus: 1, gpu_milli: 500, weight: 3}",
                "    - {cpu: 0.5, memory_gib: 2}",
                "    - {cpu: 32, memory_gib: 256, gpus: 4}",
                "  classes: {latency_sensitive: 2, burstable: 1, best_effort: 1}",
                "  gangs: {fraction: 0.1, sizes: [2, 4, 8], worker: {cpu: 16, memory_gib: 64, gpus: 1}}",
                "policy:",
                "  scores: [{plugin: BestFit, weight: 2}, {plugin: fgd, weight: 1}]",
                "  gpu_selector: best-fit",
                "queue: {backfill: false, backfill_max_head_wait: 90s, backfill_window: 16, max_wait: 2h}",
                "preemption: false",
                "tenants:",
                "  - {name: research, guaranteed_gpus: 400, max_gpus: 560, weight: 2, share: 3}",
                "  - {name: prod, share: 1}",
                "outages:",
                "  - {at: 2h, for: 6h, nodes: [node-a, node-b]}",
                "  - {at: 1d, for: 30m, count: 50}",
                "  - {at: 3d, site: site-2, for: 2h}",
                "  - {at: 4d, fraction: 0.1, for: forever}",
                "report: {sample_every: 5m}",
                "check: true",
                "");

        Scenario s = parse(text);

        assertThat(s.name()).isEqualTo("multi-tenant-h100");
        assertThat(s.description()).isEqualTo("Two tenants on a generated H100/L40S fleet.\n");
        assertThat(s.seed()).isEqualTo(7);
        assertThat(s.horizonMs()).isEqualTo(7 * DAY);
        assertThat(s.untilDrained()).isFalse();
        assertThat(s.fleet()).isEqualTo(new FleetSpec.Generated(List.of(
                new NodeType(64, 8, "H100", 96_000, 768 * 1024),
                new NodeType(16, 4, "L40S", 48_500, 512),
                new NodeType(8, 0, null, 64_000, 256 * 1024)), 2, 200));
        assertThat(((FleetSpec.Generated) s.fleet()).gpuCount()).isEqualTo(64 * 8 + 16 * 4);
        assertThat(((FleetSpec.Generated) s.fleet()).nodeCount()).isEqualTo(88);

        WorkloadSpec.Generated w = (WorkloadSpec.Generated) s.workload();
        assertThat(w.tasks()).isEqualTo(5_000_000);
        assertThat(w.arrivals()).isEqualTo(new ArrivalSpec.Bursty(10, 200, HOUR, 5 * MIN));
        assertThat(w.durations()).isEqualTo(new DurationSpec.Lognormal(10 * MIN, 1.5, 7 * DAY));
        assertThat(w.shapes()).containsExactly(
                new ShapeSpec(8000, 32 * 1024, 1, 500, 3),
                new ShapeSpec(500, 2048, 0, 0, 1),
                new ShapeSpec(32_000, 256 * 1024, 4, 1000, 1));
        assertThat(w.openbShapes()).isFalse();
        assertThat(w.classes()).isEqualTo(new ClassMix(0.5, 0.25, 0.25));
        assertThat(w.gangs()).isEqualTo(new GangSpec(0.1, List.of(2, 4, 8), new ShapeSpec(16_000, 64 * 1024, 1, 1000, 1)));

        assertThat(s.policy()).isEqualTo(new PolicySpec(null,
                List.of(new WeightedPlugin("BestFit", 2), new WeightedPlugin("FGD", 1)), "best-fit"));
        assertThat(s.queue()).isEqualTo(new QueueSpec(false, 90_000, 16, 2 * HOUR));
        assertThat(s.preemption()).isFalse();
        assertThat(s.tenants()).containsExactly(
                new TenantSpec("research", 400, 560, 2, 0.75),
                new TenantSpec("prod", 0, TenantSpec.UNLIMITED, 1, 0.25));
        assertThat(s.outages()).containsExactly(
                new OutageSpec(2 * HOUR, 6 * HOUR, List.of("node-a", "node-b"), 0, null, 0),
                new OutageSpec(DAY, 30 * MIN, List.of(), 50, null, 0),
                new OutageSpec(3 * DAY, 2 * HOUR, List.of(), 0, "site-2", 0),
                new OutageSpec(4 * DAY, OutageSpec.FOREVER, List.of(), 0, null, 0.1));
        assertThat(s.outages()).extracting(OutageSpec::target).containsExactly(
                OutageSpec.Target.NODES, OutageSpec.Target.COUNT, OutageSpec.Target.SITE, OutageSpec.Target.FRACTION);
        assertThat(s.sampleEveryMs()).isEqualTo(5 * MIN);
        assertThat(s.check()).isTrue();
    }

    @Test
    void minimalFileGetsEveryDefault() {
        Scenario s = parse("name: openb-fgd\nfleet: {kind: openb}\nworkload: {kind: openb}\n");

        assertThat(s).isEqualTo(new Scenario("openb-fgd", "", 42, Scenario.UNTIL_DRAINED,
                new FleetSpec.Openb(true, 1, null, 1, 100),
                new WorkloadSpec.Openb("default", null, 1.0),
                PolicySpec.named("FGD"),
                new QueueSpec(true, 10 * MIN, 64, QueueSpec.NO_MAX_WAIT),
                true, List.of(new TenantSpec("default", 0, TenantSpec.UNLIMITED, 1, 1)), List.of(),
                Scenario.AUTO_SAMPLE, false, Scenario.DEFAULT_START));
        assertThat(s.untilDrained()).isTrue();
        assertThat(s.policy()).isEqualTo(PolicySpec.DEFAULT);
        assertThat(s.queue()).isEqualTo(QueueSpec.DEFAULT);
    }

    @Test
    void openbFleetAndWorkloadOptions() {
        Scenario s = parse(String.join("\n",
                "name: openb-x4",
                "horizon: end",
                "fleet: {kind: openb, nodes: all, copies: 4, trace_dir: /data/openb, sites: 3, rdma_per_node: 0}",
                "workload: {kind: openb, trace: multigpu20, trace_dir: /data/openb, time_scale: 0.5}",
                "report: {sample_every: auto}"));

        assertThat(s.horizonMs()).isEqualTo(Scenario.UNTIL_DRAINED);
        assertThat(s.fleet()).isEqualTo(new FleetSpec.Openb(false, 4, "/data/openb", 3, 0));
        assertThat(s.workload()).isEqualTo(new WorkloadSpec.Openb("multigpu20", "/data/openb", 0.5));
        assertThat(s.sampleEveryMs()).isEqualTo(Scenario.AUTO_SAMPLE);
    }

    @Test
    void spotGpuFleetAndDlrmWorkload() {
        Scenario s = parse("name: spot\nfleet: {kind: spot-gpu}\nworkload: {kind: dlrm, time_scale: 2}\n");
        assertThat(s.fleet()).isEqualTo(new FleetSpec.SpotGpu(null, 8 * 1024, 1, 100));
        assertThat(s.workload()).isEqualTo(new WorkloadSpec.Dlrm(null, 2.0));

        Scenario t = parse("name: spot\nfleet: {kind: spot-gpu, file: nodes.csv, memory_gib_per_core: 4.5}\n"
                + "workload: {kind: dlrm, file: dlrm.csv}\n");
        assertThat(t.fleet()).isEqualTo(new FleetSpec.SpotGpu("nodes.csv", 4608, 1, 100));
        assertThat(t.workload()).isEqualTo(new WorkloadSpec.Dlrm("dlrm.csv", 1.0));
    }

    @Test
    void sizedFleetHasATemplateWithoutCount() {
        Scenario s = parse(fleet(
                "fleet:",
                "  kind: sized",
                "  headroom: 1.25",
                "  template: {gpus: 8, gpu_model: A100-80G, cpu: 128, memory_gib: 1024}"));
        assertThat(s.fleet()).isEqualTo(new FleetSpec.Sized(new NodeType(0, 8, "A100-80G", 128_000, 1024 * 1024), 1.25, 1, 100));

        Scenario d = parse(fleet("fleet: {kind: sized, template: {gpus: 1, gpu_model: T4, cpu: 8, memory_gib: 32}}"));
        assertThat(((FleetSpec.Sized) d.fleet()).headroom()).isEqualTo(1.0);
    }

    @Test
    void generatedWorkloadDefaultsToOpenbShapesAndTheOpenbClassMix() {
        WorkloadSpec.Generated w = (WorkloadSpec.Generated) parse(BASE).workload();
        assertThat(w.shapes()).isEmpty();
        assertThat(w.openbShapes()).isTrue();
        assertThat(w.classes()).isEqualTo(ClassMix.DEFAULT);
        assertThat(w.gangs()).isNull();
        assertThat(w.arrivals()).isEqualTo(new ArrivalSpec.Poisson(40));
        assertThat(w.durations()).isEqualTo(new DurationSpec.Lognormal(10 * MIN, 1.5, DurationSpec.NO_MAX));

        WorkloadSpec.Generated explicit = (WorkloadSpec.Generated) parse(BASE.replace("tasks: 1000", "tasks: 1000\n  shapes: openb"))
                .workload();
        assertThat(explicit.shapes()).isEmpty();
    }

    @Test
    void everyDurationDistributionParses() {
        assertThat(durations("{distribution: pareto, min: 1m, alpha: 1.2, max: 7d}"))
                .isEqualTo(new DurationSpec.Pareto(MIN, 1.2, 7 * DAY));
        assertThat(durations("{distribution: exponential, mean: 30m}"))
                .isEqualTo(new DurationSpec.Exponential(30 * MIN, DurationSpec.NO_MAX));
        assertThat(durations("{distribution: exponential, mean: 30m, max: none}"))
                .isEqualTo(new DurationSpec.Exponential(30 * MIN, DurationSpec.NO_MAX));
        assertThat(durations("{distribution: fixed, value: 250ms}")).isEqualTo(new DurationSpec.Fixed(250));
    }

    private static DurationSpec durations(String flow) {
        return ((WorkloadSpec.Generated) parse(BASE.replace(
                "{distribution: lognormal, median: 10m, sigma: 1.5}", flow)).workload()).durations();
    }

    @Test
    void bursyArrivalsReportTheirMeanRate() {
        ArrivalSpec a = new ArrivalSpec.Bursty(10, 200, HOUR, 6 * MIN);
        assertThat(a.meanRatePerSecond()).isCloseTo(0.1 * 200 + 0.9 * 10, within(1e-9));
    }

    @ParameterizedTest(name = "policy: {0}")
    @CsvSource(delimiter = '|', value = {
            "FGD                                  | FGD",
            "bestfit                              | BestFit",
            "{name: GpuPacking}                   | GpuPacking",
    })
    void namedPolicyShorthands(String yaml, String expected) {
        assertThat(parse(top("policy: " + yaml)).policy()).isEqualTo(PolicySpec.named(expected));
    }

    @Test
    void namedPolicyMayOverrideTheGpuSelector() {
        PolicySpec p = parse(top("policy: {name: DotProd, gpu_selector: tightest-first}")).policy();
        assertThat(p).isEqualTo(new PolicySpec("DotProd", List.of(), "tightest-first"));
        assertThat(p.selectorPolicy()).isEqualTo("DotProd");
    }

    @Test
    void scoresPolicyWithoutSelectorUsesTheFirstPluginsSelector() {
        PolicySpec p = parse(top("policy: {scores: [{plugin: GpuClustering}, {plugin: Random, weight: 1000}]}")).policy();
        assertThat(p).isEqualTo(new PolicySpec(null,
                List.of(new WeightedPlugin("GpuClustering", 1), new WeightedPlugin("Random", 1000)), null));
        assertThat(p.selectorPolicy()).isEqualTo("GpuClustering");
    }

    @Test
    void emptyOutageListIsAllowed() {
        assertThat(parse(top("outages: []")).outages()).isEmpty();
    }

    @Test
    void parsesAFileAndNamesItInErrors(@TempDir Path dir) throws IOException {
        Path ok = dir.resolve("ok.yaml");
        Files.writeString(ok, BASE, StandardCharsets.UTF_8);
        assertThat(ScenarioParser.parse(ok).name()).isEqualTo("test");

        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, top("seed: lots"), StandardCharsets.UTF_8);
        assertThatThrownBy(() -> ScenarioParser.parse(bad))
                .isInstanceOf(ScenarioException.class)
                .hasMessage(bad + ", line 11, key seed: value 'lots': expected a whole number");
    }

    @Test
    void missingFileSaysSoAndSuggestsTheScenariosFolder(@TempDir Path dir) {
        Path missing = dir.resolve("nope.yaml");
        Throwable t = catchThrowable(() -> ScenarioParser.parse(missing));
        assertThat(t).isInstanceOf(ScenarioException.class);
        ScenarioException e = (ScenarioException) t;
        assertThat(e.file()).isEqualTo(missing.toString());
        assertThat(e.getMessage()).contains("no such file").contains("scenarios/");
    }

    @Test
    void everyCompleteExampleInTheFormatDocumentParses() throws IOException {
        Path doc = Path.of("..", "docs", "scenario-format.md");
        assertThat(doc).as("the format document, relative to the sim module").exists();
        String text = Files.readString(doc, StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("```yaml\n(name:.*?)```", Pattern.DOTALL).matcher(text);
        List<String> kinds = new ArrayList<>();
        int examples = 0;
        while (m.find()) {
            Scenario s = ScenarioParser.parse(m.group(1), doc + " example " + (++examples));
            kinds.add(s.fleet().getClass().getSimpleName());
            kinds.add(s.workload().getClass().getSimpleName());
        }
        assertThat(examples).isGreaterThanOrEqualTo(5);
        assertThat(kinds).contains("Openb", "SpotGpu", "Generated", "Sized", "Dlrm");
    }

    // ---------------------------------------------------------------- the message format

    @Test
    void messageNamesFileLineKeyValueAndTheChoices() {
        ScenarioException e = fails(fleet("fleet:", "  kind: foo"));
        assertThat(e).hasMessage("scenarios/test.yaml, line 3, key fleet.kind: value 'foo': "
                + "expected one of regional, openb, spot-gpu, generated, sized");
        assertThat(e.file()).isEqualTo(SRC);
        assertThat(e.line()).isEqualTo(3);
        assertThat(e.key()).isEqualTo("fleet.kind");
        assertThat(e.value()).isEqualTo("foo");
        assertThat(e.problem()).isEqualTo("expected one of regional, openb, spot-gpu, generated, sized");
    }

    @Test
    void unknownKeySuggestsTheClosestAndListsTheAllowedOnes() {
        ScenarioException e = fails("name: x\nfleet: {kind: openb, nodse: all}\nworkload: {kind: openb}\n");
        assertThat(e).hasMessage("scenarios/test.yaml, line 2, key fleet.nodse: unknown key 'nodse'; did you mean 'nodes'?; "
                + "allowed keys for fleet kind openb: kind, nodes, copies, trace_dir, sites, rdma_per_node");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "seeed, seed",
            "horizn, horizon",
            "Fleet, fleet",
            "polcy, policy",
            "tenant, tenants",
            "outage, outages",
            "preempt, preemption",
            "sample_every, ''",
    })
    void unknownTopLevelKeySuggestion(String typo, String suggestion) {
        ScenarioException e = fails(top(typo + ": 1"));
        assertThat(e.line()).isEqualTo(11);
        assertThat(e.key()).isEqualTo(typo);
        assertThat(e.getMessage()).contains("unknown key '" + typo + "'")
                .contains("allowed keys at the top level: name, description, seed, horizon, fleet, workload, policy, "
                        + "queue, preemption, tenants, outages, report, check");
        if (suggestion.isEmpty()) {
            assertThat(e.getMessage()).doesNotContain("did you mean");
        } else {
            assertThat(e.getMessage()).contains("did you mean '" + suggestion + "'?");
        }
    }

    // ---------------------------------------------------------------- every validation rule

    static Stream<Arguments> invalid() {
        return Stream.of(
                // label, text, line, key, value (null = none), message fragment
                // --- top level
                bad("name pattern", BASE.replace("name: test", "name: Bad_Name"), 1, "name", "Bad_Name", "lower-case letters"),
                bad("name missing", FLEET + WORKLOAD, 1, "name", null, "missing required key 'name'"),
                bad("name empty", BASE.replace("name: test", "name:"), 1, "name", null, "got an empty value"),
                bad("seed not a number", top("seed: 4.2"), 11, "seed", "4.2", "expected a whole number"),
                bad("horizon negative", top("horizon: -5m"), 11, "horizon", "-5m", "negative durations are not allowed"),
                bad("horizon zero", top("horizon: 0s"), 11, "horizon", "0s", "or 'end' to run until the workload drains"),
                bad("horizon word", top("horizon: forever"), 11, "horizon", "forever", "or 'end'"),
                bad("horizon unit", top("horizon: 7 days"), 11, "horizon", "7 days", "units ms, s, m, h, d"),
                bad("preemption yes", top("preemption: yes"), 11, "preemption", "yes", "expected true or false"),
                bad("check number", top("check: 1"), 11, "check", "1", "expected true or false"),
                bad("report zero", top("report: {sample_every: 0s}"), 11, "report.sample_every", "0s", "or 'auto'"),
                bad("report unknown", top("report: {every: 5m}"), 11, "report.every", null, "allowed keys under report: sample_every"),
                bad("report not a map", top("report: 5m"), 11, "report", "5m", "expected a mapping such as {sample_every: 5m}"),
                bad("workload missing", "name: test\n" + FLEET, 1, "workload", null, "missing required key 'workload'"),
                bad("fleet is a list", fleet("fleet: [openb]"), 2, "fleet", null, "got a list"),
                bad("fleet is empty", fleet("fleet:"), 2, "fleet", null, "got an empty value"),
                // --- fleet
                bad("fleet kind missing", fleet("fleet: {nodes: gpu}"), 2, "fleet.kind", null, "missing required key 'kind'"),
                bad("fleet kind", fleet("fleet: {kind: openbb}"), 2, "fleet.kind", "openbb", "did you mean 'openb'?"),
                bad("openb nodes", fleet("fleet: {kind: openb, nodes: some}"), 2, "fleet.nodes", "some", "expected one of gpu, all"),
                bad("openb copies", fleet("fleet: {kind: openb, copies: 0}"), 2, "fleet.copies", "0", "expected a whole number in 1..100000"),
                bad("sites zero", fleet("fleet: {kind: openb, sites: 0}"), 2, "fleet.sites", "0", "in 1..1000"),
                bad("rdma negative", fleet("fleet: {kind: openb, rdma_per_node: -1}"), 2, "fleet.rdma_per_node", "-1", "in 0..100000"),
                bad("openb key in spot", fleet("fleet: {kind: spot-gpu, copies: 2}"), 2, "fleet.copies", null,
                        "allowed keys for fleet kind spot-gpu: kind, file, memory_gib_per_core, sites, rdma_per_node"),
                bad("spot memory", fleet("fleet: {kind: spot-gpu, memory_gib_per_core: 0}"), 2, "fleet.memory_gib_per_core", "0",
                        "in (0, 1024]"),
                bad("node_types missing", fleet("fleet: {kind: generated}"), 2, "fleet.node_types", null, "missing required key"),
                bad("node_types empty", fleet("fleet: {kind: generated, node_types: []}"), 2, "fleet.node_types", null,
                        "at least one node type"),
                bad("node_types a map", fleet("fleet: {kind: generated, node_types: {count: 1}}"), 2, "fleet.node_types", null,
                        "expected a list of node types"),
                bad("node count", nodeType("{count: 0, gpus: 8, gpu_model: H100, cpu: 96, memory_gib: 768}"), 5,
                        "fleet.node_types[0].count", "0", "in 1..1000000"),
                bad("node gpus", nodeType("{count: 1, gpus: 17, gpu_model: H100, cpu: 96, memory_gib: 768}"), 5,
                        "fleet.node_types[0].gpus", "17", "in 0..16"),
                bad("gpu model unknown", nodeType("{count: 1, gpus: 8, gpu_model: h100, cpu: 96, memory_gib: 768}"), 5,
                        "fleet.node_types[0].gpu_model", "h100", "expected a known GPU model: A10, G2"),
                bad("gpu model suggestion", nodeType("{count: 1, gpus: 8, gpu_model: H1000, cpu: 96, memory_gib: 768}"), 5,
                        "fleet.node_types[0].gpu_model", "H1000", "did you mean 'H100'?"),
                bad("gpu model missing", nodeType("{count: 1, gpus: 8, cpu: 96, memory_gib: 768}"), 5,
                        "fleet.node_types[0].gpu_model", null, "needs a gpu_model"),
                bad("gpu model on cpu node", nodeType("{count: 1, gpus: 0, gpu_model: T4, cpu: 96, memory_gib: 768}"), 5,
                        "fleet.node_types[0].gpu_model", "T4", "CPU-only node"),
                bad("node cpu zero", nodeType("{count: 1, gpus: 0, cpu: 0, memory_gib: 768}"), 5,
                        "fleet.node_types[0].cpu", "0", "cores > 0"),
                bad("node cpu text", nodeType("{count: 1, gpus: 0, cpu: many, memory_gib: 768}"), 5,
                        "fleet.node_types[0].cpu", "many", "expected a number"),
                bad("node memory negative", nodeType("{count: 1, gpus: 0, cpu: 8, memory_gib: -1}"), 5,
                        "fleet.node_types[0].memory_gib", "-1", "GiB > 0"),
                bad("node unknown key", nodeType("{count: 1, gpus: 0, cpu: 8, memory: 64}"), 5,
                        "fleet.node_types[0].memory", null, "did you mean 'memory_gib'?"),
                bad("second node type", fleet("fleet:", "  kind: generated", "  node_types:",
                        "    - {count: 1, gpus: 0, cpu: 8, memory_gib: 64}",
                        "    - {count: 1, gpus: 99, cpu: 8, memory_gib: 64}"), 6, "fleet.node_types[1].gpus", "99", "in 0..16"),
                bad("sized headroom", fleet("fleet: {kind: sized, headroom: 0.9, template: {gpus: 0, cpu: 8, memory_gib: 64}}"), 2,
                        "fleet.headroom", "0.9", "1.0 = exactly the peak"),
                bad("sized count", fleet("fleet: {kind: sized, template: {count: 3, gpus: 0, cpu: 8, memory_gib: 64}}"), 2,
                        "fleet.template.count", "3", "remove 'count'"),
                bad("sized template missing", fleet("fleet: {kind: sized}"), 2, "fleet.template", null, "node to replicate"),
                // --- workload
                bad("workload kind", workload("workload: {kind: trace}"), 6, "workload.kind", "trace",
                        "expected one of openb, dlrm, generated"),
                bad("openb trace", workload("workload: {kind: openb, trace: cpu50}"), 6, "workload.trace", "cpu50",
                        "did you mean 'cpu050'?"),
                bad("time scale", workload("workload: {kind: dlrm, time_scale: 0}"), 6, "workload.time_scale", "0",
                        "expected a number > 0"),
                bad("tasks zero", BASE.replace("tasks: 1000", "tasks: 0"), 8, "workload.tasks", "0", "whole number >= 1"),
                bad("tasks decimal", BASE.replace("tasks: 1000", "tasks: 1.5e6"), 8, "workload.tasks", "1.5e6", "whole number"),
                bad("tasks missing", BASE.replace("  tasks: 1000\n", ""), 7, "workload.tasks", null, "missing required key 'tasks'"),
                bad("arrival process", arrivals("{process: uniform, rate_per_s: 1}"), 9, "workload.arrivals.process", "uniform",
                        "expected one of poisson, bursty"),
                bad("arrival rate", arrivals("{process: poisson, rate_per_s: 0}"), 9, "workload.arrivals.rate_per_s", "0",
                        "tasks per second > 0"),
                bad("arrival rate key", arrivals("{process: poisson, rate: 5}"), 9, "workload.arrivals.rate", null,
                        "did you mean 'rate_per_s'?"),
                bad("burst length", arrivals("{process: bursty, rate_per_s: 1, burst_rate_per_s: 9, burst_every: 1h, burst_length: 1h}"),
                        9, "workload.arrivals.burst_length", "1h", "shorter than burst_every (1h)"),
                bad("burst rate", arrivals("{process: bursty, rate_per_s: 10, burst_rate_per_s: 5, burst_every: 1h, burst_length: 5m}"),
                        9, "workload.arrivals.burst_rate_per_s", "5", "above rate_per_s (10)"),
                bad("burst every missing", arrivals("{process: bursty, rate_per_s: 1, burst_rate_per_s: 9, burst_length: 5m}"),
                        9, "workload.arrivals.burst_every", null, "missing required key 'burst_every'"),
                bad("distribution", durationsYaml("{distribution: weibull, median: 1m}"), 10, "workload.durations.distribution",
                        "weibull", "expected one of lognormal, pareto, exponential, fixed"),
                bad("sigma", durationsYaml("{distribution: lognormal, median: 10m, sigma: 0}"), 10, "workload.durations.sigma", "0",
                        "in (0, 20]"),
                bad("median zero", durationsYaml("{distribution: lognormal, median: 0, sigma: 1}"), 10, "workload.durations.median",
                        "0", "duration > 0"),
                bad("max below median", durationsYaml("{distribution: lognormal, median: 10m, sigma: 1, max: 5m}"), 10,
                        "workload.durations.max", "5m", "above median (10m), or 'none'"),
                bad("pareto alpha", durationsYaml("{distribution: pareto, min: 1m, alpha: -1}"), 10, "workload.durations.alpha", "-1",
                        "in (0, 100]"),
                bad("fixed value", durationsYaml("{distribution: fixed, value: 1.5ms}"), 10, "workload.durations.value", "1.5ms",
                        "not a whole number of milliseconds"),
                bad("shapes word", shapes("alibaba"), 11, "workload.shapes", "alibaba", "expected one of openb"),
                bad("shapes empty", shapes("[]"), 11, "workload.shapes", null, "at least one shape"),
                bad("shape multi-gpu sharing", shapes("[{cpu: 8, memory_gib: 32, gpus: 2, gpu_milli: 500}]"), 11,
                        "workload.shapes[0].gpu_milli", "500", "multi-GPU shape (gpus: 2) takes whole GPUs"),
                bad("shape milli without gpu", shapes("[{cpu: 8, memory_gib: 32, gpu_milli: 500}]"), 11,
                        "workload.shapes[0].gpu_milli", "500", "CPU-only shape"),
                bad("shape milli zero", shapes("[{cpu: 8, memory_gib: 32, gpus: 1, gpu_milli: 0}]"), 11,
                        "workload.shapes[0].gpu_milli", "0", "in 1..1000"),
                bad("shape weight", shapes("[{cpu: 1, memory_gib: 1}, {cpu: 8, memory_gib: 32, weight: 0}]"), 11,
                        "workload.shapes[1].weight", "0", "weight > 0"),
                bad("shape cpu missing", shapes("[{memory_gib: 32}]"), 11, "workload.shapes[0].cpu", null, "missing required key 'cpu'"),
                bad("classes negative", generated("classes: {latency_sensitive: -0.1, best_effort: 1}"), 11,
                        "workload.classes.latency_sensitive", "-0.1", "share >= 0"),
                bad("classes zero", generated("classes: {latency_sensitive: 0}"), 11, "workload.classes", null,
                        "at least one class share > 0"),
                bad("classes typo", generated("classes: {besteffort: 1}"), 11, "workload.classes.besteffort", null,
                        "did you mean 'best_effort'?"),
                bad("gang fraction", generated("gangs: {fraction: 1.5, sizes: [2]}"), 11, "workload.gangs.fraction", "1.5", "in 0..1"),
                bad("gang size", generated("gangs: {fraction: 0.1, sizes: [2, 1]}"), 11, "workload.gangs.sizes[1]", "1", "in 2..256"),
                bad("gang size big", generated("gangs: {fraction: 0.1, sizes: [300]}"), 11, "workload.gangs.sizes[0]", "300", "in 2..256"),
                bad("gang sizes scalar", generated("gangs: {fraction: 0.1, sizes: 4}"), 11, "workload.gangs.sizes", "4",
                        "expected a list of gang sizes"),
                bad("gang worker weight", generated("gangs: {fraction: 0.1, sizes: [2], worker: {cpu: 1, memory_gib: 1, weight: 2}}"),
                        11, "workload.gangs.worker.weight", "2", "a gang worker has no weight"),
                // --- policy
                bad("policy unknown", top("policy: FDG"), 11, "policy", "FDG", "unknown policy 'FDG'; known policies: Random, DotProd"),
                bad("policy suggestion", top("policy: FDG"), 11, "policy", "FDG", "did you mean 'FGD'?"),
                bad("policy name and scores", top("policy: {name: FGD, scores: [{plugin: FGD}]}"), 11, "policy.scores", null,
                        "'scores' cannot be combined with 'name'"),
                bad("policy neither", top("policy: {gpu_selector: random}"), 11, "policy.name", null, "give name: FGD"),
                bad("plugin unknown", top("policy: {scores: [{plugin: Spread, weight: 1}]}"), 11, "policy.scores[0].plugin", "Spread",
                        "unknown policy 'Spread'"),
                bad("weight zero", top("policy: {scores: [{plugin: FGD, weight: 0}]}"), 11, "policy.scores[0].weight", "0", "in 1..1000"),
                bad("weight high", top("policy: {scores: [{plugin: FGD, weight: 1001}]}"), 11, "policy.scores[0].weight", "1001",
                        "in 1..1000"),
                bad("plugin twice", top("policy: {scores: [{plugin: FGD}, {plugin: fgd}]}"), 11, "policy.scores[1].plugin", "fgd",
                        "already listed at policy.scores[0]"),
                bad("gpu selector", top("policy: {name: FGD, gpu_selector: bestfit}"), 11, "policy.gpu_selector", "bestfit",
                        "did you mean 'best-fit'?"),
                bad("scores empty", top("policy: {scores: []}"), 11, "policy.scores", null, "at least one score plugin"),
                // --- queue
                bad("backfill window", top("queue: {backfill_window: 0}"), 11, "queue.backfill_window", "0", "in 1..1000000"),
                bad("max wait zero", top("queue: {max_wait: 0}"), 11, "queue.max_wait", "0", "or 'none'"),
                bad("head wait negative", top("queue: {backfill_max_head_wait: -1m}"), 11, "queue.backfill_max_head_wait", "-1m",
                        "negative"),
                bad("backfill word", top("queue: {backfill: on}"), 11, "queue.backfill", "on", "expected true or false"),
                // --- tenants
                bad("tenants empty", top("tenants: []"), 11, "tenants", null, "remove the key for a single 'default' tenant"),
                bad("tenants map", top("tenants: {name: a}"), 11, "tenants", null, "expected a list of tenants"),
                bad("tenant name", top("tenants: [{name: Research}]"), 11, "tenants[0].name", "Research", "lower-case letters"),
                bad("tenant duplicate", top("tenants:", "  - {name: a}", "  - {name: a}"), 13, "tenants[1].name", "a",
                        "already used by tenants[0]"),
                bad("tenant max below guaranteed", top("tenants: [{name: a, guaranteed_gpus: 8, max_gpus: 4}]"), 11,
                        "tenants[0].max_gpus", "4", "max_gpus >= guaranteed_gpus (8)"),
                bad("tenant max word", top("tenants: [{name: a, max_gpus: unlimted}]"), 11, "tenants[0].max_gpus", "unlimted",
                        "did you mean 'unlimited'?"),
                bad("tenant share", top("tenants: [{name: a, share: 0}]"), 11, "tenants[0].share", "0", "share of the workload > 0"),
                bad("tenant weight", top("tenants: [{name: a, weight: -2}]"), 11, "tenants[0].weight", "-2", "weight > 0"),
                bad("tenant guaranteed sum", top("tenants:", "  - {name: a, guaranteed_gpus: 20}", "  - {name: b, guaranteed_gpus: 20}"),
                        12, "tenants", null, "add up to 40 but the fleet has only 32 GPUs"),
                // --- outages
                bad("outage no target", top("outages: [{at: 1h, for: 1h}]"), 11, "outages[0]", null, "exactly one target"),
                bad("outage two targets", top("outages: [{at: 1h, for: 1h, count: 2, fraction: 0.5}]"), 11, "outages[0].fraction",
                        "0.5", "'fraction' cannot be combined with 'count'"),
                bad("outage count", top("outages: [{at: 1h, for: 1h, count: 0}]"), 11, "outages[0].count", "0", "whole number >= 1"),
                bad("outage count above fleet", top("outages: [{at: 1h, for: 1h, count: 5}]"), 11, "outages[0].count", "5",
                        "at most the fleet's 4 nodes"),
                bad("outage site", top("outages: [{at: 1h, for: 1h, site: site-2}]"), 11, "outages[0].site", "site-2",
                        "the fleet has one site"),
                bad("outage fraction", top("outages: [{at: 1h, for: 1h, fraction: 1.5}]"), 11, "outages[0].fraction", "1.5",
                        "in (0, 1]"),
                bad("outage for zero", top("outages: [{at: 1h, for: 0s, count: 1}]"), 11, "outages[0].for", "0s", "or 'forever'"),
                bad("outage for word", top("outages: [{at: 1h, for: ever, count: 1}]"), 11, "outages[0].for", "ever", "or 'forever'"),
                bad("outage at missing", top("outages:", "  - for: 1h", "    count: 1"), 12, "outages[0].at", null,
                        "missing required key 'at'"),
                bad("outage after horizon", top("horizon: 1d", "outages: [{at: 2d, for: 1h, count: 1}]"), 12, "outages[0].at", "2d",
                        "after the horizon (1d)"),
                bad("outage node twice", top("outages: [{at: 1h, for: 1h, nodes: [a, b, a]}]"), 11, "outages[0].nodes[2]", "a",
                        "node listed twice"),
                // --- YAML structure
                bad("duplicate key", top("seed: 1", "seed: 2"), 12, "seed", null, "duplicate key; first given on line 11"),
                bad("merge key", top("queue: {<<: {backfill: true}}"), 11, "queue.<<", null, "merge keys"));
    }

    private static String nodeType(String flow) {
        return fleet("fleet:", "  kind: generated", "  node_types:", "    - " + flow);
    }

    private static String arrivals(String flow) {
        return BASE.replace("{process: poisson, rate_per_s: 40}", flow);
    }

    private static String durationsYaml(String flow) {
        return BASE.replace("{distribution: lognormal, median: 10m, sigma: 1.5}", flow);
    }

    /** Appends one key to the generated workload, at line 11. */
    private static String generated(String line) {
        return BASE + "  " + line + "\n";
    }

    private static String shapes(String value) {
        return generated("shapes: " + value);
    }

    private static Arguments bad(String label, String text, int line, String key, String value, String fragment) {
        return Arguments.of(label, text, line, key, value, fragment);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void invalidScenarioNamesLineKeyAndValue(String label, String text, int line, String key, String value, String fragment) {
        ScenarioException e = fails(text);
        assertThat(e.file()).isEqualTo(SRC);
        assertThat(e.line()).as("line of: %s", e.getMessage()).isEqualTo(line);
        assertThat(e.key()).as("key of: %s", e.getMessage()).isEqualTo(key);
        assertThat(e.value()).as("value of: %s", e.getMessage()).isEqualTo(value);
        assertThat(e.getMessage()).startsWith(SRC + ", line " + line + ", key " + key + ": ").contains(fragment);
        if (value != null) {
            assertThat(e.getMessage()).contains("value '" + value + "'");
        }
    }

    // ---------------------------------------------------------------- whole-file problems

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {"", "   \n", "# only a comment\n", "~\n"})
    void emptyFileIsRejected(String text) {
        ScenarioException e = fails(text);
        assertThat(e.line()).isZero();
        assertThat(e.key()).isNull();
        assertThat(e).hasMessage(SRC + ": empty scenario; expected a mapping with at least the keys name, fleet and workload"
                + " (see docs/scenario-format.md)");
    }

    @Test
    void nonMappingFileIsRejected() {
        assertThat(fails("- name: x\n- fleet: y\n").getMessage())
                .startsWith(SRC + ", line 1: expected the scenario to be a mapping of keys (name, description, seed, horizon, fleet")
                .endsWith("got a list");
        assertThat(fails("just text\n").getMessage()).endsWith("got 'just text'");
    }

    @Test
    void yamlSyntaxErrorNamesTheLine() {
        ScenarioException e = fails("name: x\nfleet: {kind: openb\nworkload: {kind: openb}\n");
        assertThat(e.line()).isBetween(2, 4);
        assertThat(e.getMessage()).contains("invalid YAML");
    }

    @Test
    void multipleDocumentsAreRejected() {
        assertThat(fails(BASE + "---\n" + BASE).getMessage()).contains("invalid YAML");
    }

    // ---------------------------------------------------------------- durations

    @ParameterizedTest(name = "{0} = {1} ms")
    @CsvSource({
            "250ms, 250",
            "90s, 90000",
            "90, 90000",
            "0, 0",
            "0.5s, 500",
            "1.5h, 5400000",
            "10m, 600000",
            "7d, 604800000",
            "86_400, 86400000",
            "' 5m ', 300000",
            "2 h, 7200000",
            "0.001, 1",
    })
    void parsesDurations(String text, long ms) {
        assertThat(Durations.parseDurationMs(text)).isEqualTo(ms);
    }

    @ParameterizedTest(name = "''{0}'' -> {1}")
    @CsvSource(delimiter = '|', value = {
            "-5m        | negative durations are not allowed",
            "1.5ms      | not a whole number of milliseconds",
            "0.0001     | not a whole number of milliseconds",
            "''         | empty",
            "abc        | expected a duration such as 250ms",
            "5M         | expected a duration such as 250ms",
            "1e3        | expected a duration such as 250ms",
            "5 minutes  | expected a duration such as 250ms",
            "1h30m      | expected a duration such as 250ms",
            "99999999999999999d | too large",
    })
    void rejectsBadDurations(String text, String fragment) {
        assertThatThrownBy(() -> Durations.parseDurationMs(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("bad duration '" + text + "': ")
                .hasMessageContaining(fragment);
    }

    @ParameterizedTest(name = "{0} ms = {1}")
    @CsvSource({"0, 0s", "250, 250ms", "1500, 1500ms", "90000, 90s", "600000, 10m", "5400000, 90m", "604800000, 7d"})
    void formatsDurationsInTheLargestWholeUnit(long ms, String text) {
        assertThat(Durations.format(ms)).isEqualTo(text);
        assertThat(Durations.parseDurationMs(text)).isEqualTo(ms);
    }

    // ---------------------------------------------------------------- suggestions

    @ParameterizedTest(name = "{0} among {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
            "nodse          | nodes,copies              | nodes",
            "gpu-model      | gpus,gpu_model            | gpu_model",
            "rate           | process,rate_per_s        | rate_per_s",
            "xyz            | nodes,copies              | ''",
            "FDG            | Random,BestFit,FGD        | FGD",
    })
    void didYouMeanPicksTheClosestCandidate(String input, String candidates, String expected) {
        String s = YamlNodes.didYouMean(input, List.of(candidates.split(",")));
        assertThat(s).isEqualTo(expected.isEmpty() ? "" : "; did you mean '" + expected + "'?");
    }
}
