package io.archipelago.sim.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.within;

import io.archipelago.core.geo.PlacementRules;
import io.archipelago.core.geo.Tier;
import io.archipelago.sim.engine.PriorityClass;
import io.archipelago.sim.scenario.MultiRegionSpec.JobClass;
import io.archipelago.sim.scenario.MultiRegionSpec.Residency;
import io.archipelago.sim.scenario.MultiRegionSpec.Share;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** Specification of {@code workload: {kind: multi-region}} in scenario files: defaults, every key, every rejection. */
class MultiRegionSpecParserTest {
    private static final String SRC = "scenarios/test.yaml";

    /** Lines 1-7; the workload's own keys start at line 8. */
    private static final String HEAD = String.join("\n",
            "name: test",
            "fleet:",
            "  kind: generated",
            "  node_types:",
            "    - {count: 4, gpus: 8, gpu_model: H100, cpu: 96, memory_gib: 768}",
            "workload:",
            "  kind: multi-region",
            "");

    /** The multi-region workload with {@code lines} (indented under workload) from line 8. */
    private static String mr(String... lines) {
        StringBuilder b = new StringBuilder(HEAD);
        for (String l : lines) {
            b.append("  ").append(l).append('\n');
        }
        return b.toString();
    }

    private static MultiRegionSpec spec(String text) {
        WorkloadSpec w = ScenarioParser.parse(text, SRC).workload();
        assertThat(w).isInstanceOf(WorkloadSpec.MultiRegion.class);
        return ((WorkloadSpec.MultiRegion) w).spec();
    }

    private static JobClass cls(MultiRegionSpec s, String name) {
        return s.classes().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
    }

    // ---------------------------------------------------------------- defaults and keys

    @Test
    void kindAloneGivesEveryDocumentedDefault() {
        MultiRegionSpec s = spec(mr());
        assertThat(s).isEqualTo(MultiRegionSpec.defaults());
        assertThat(s.spanMs()).isEqualTo(30 * 86_400_000L);
        assertThat(s.load()).isEqualTo(0.7);
        assertThat(s.byLoad()).isTrue();
        assertThat(s.diurnal()).isEqualTo(0.3);
        assertThat(s.origins()).as("empty = proportional to each region's GPUs").isEmpty();
        assertThat(s.residency()).isEqualTo(new Residency(0.6, 0.3, 0.1));
        assertThat(s.classes()).extracting(JobClass::name).containsExactly("inference", "training", "batch");
        assertThat(s.classes()).extracting(JobClass::share).containsExactly(0.5, 0.15, 0.35);

        JobClass inf = cls(s, "inference");
        assertThat(inf.gpuModels()).containsExactly("H20", "A10", "H100", "H200");
        assertThat(inf.tiers()).containsExactly(new Share<>(Tier.ON_DEMAND, 1.0));
        assertThat(inf.priority()).isEqualTo(PriorityClass.LATENCY_SENSITIVE);
        assertThat(inf.durations()).isEqualTo(new DurationSpec.Lognormal(6 * 3_600_000L, 1.0, 7 * 86_400_000L));
        assertThat(inf.minGpus()).isEqualTo(1);
        assertThat(inf.maxGpus()).isEqualTo(1);
        assertThat(inf.wholeGpus()).isFalse();
        assertThat(inf.sloMs()).containsExactly(new Share<>(20, 0.5), new Share<>(40, 0.5));
        assertThat(inf.gangs()).isEmpty();

        JobClass tr = cls(s, "training");
        assertThat(tr.gpuModels()).containsExactly("H100", "H200");
        assertThat(tr.tiers()).containsExactly(new Share<>(Tier.SPOT, 0.5), new Share<>(Tier.RESERVED, 0.5));
        assertThat(tr.priority()).isEqualTo(PriorityClass.BURSTABLE);
        assertThat(tr.durations()).isEqualTo(new DurationSpec.Lognormal(4 * 3_600_000L, 1.0, 2 * 86_400_000L));
        assertThat(tr.minGpus()).isEqualTo(1);
        assertThat(tr.wholeGpus()).isTrue();
        assertThat(tr.sloMs()).containsExactly(new Share<>(PlacementRules.NO_SLO, 1.0));
        assertThat(tr.gangs()).containsExactly(new Share<>(2, 0.2), new Share<>(4, 0.1));

        JobClass batch = cls(s, "batch");
        assertThat(batch.anyModel()).isTrue();
        assertThat(batch.tiers()).containsExactly(new Share<>(Tier.SPOT, 1.0));
        assertThat(batch.priority()).isEqualTo(PriorityClass.BEST_EFFORT);
        assertThat(batch.durations()).isEqualTo(new DurationSpec.Lognormal(30 * 60_000L, 1.2, 86_400_000L));
        assertThat(batch.minGpus()).as("CPU-only shapes included").isZero();
        assertThat(batch.maxGpus()).isEqualTo(16);
    }

    @Test
    void theFullySpelledOutExampleInTheFormatDocumentIsExactlyTheDefaults() throws java.io.IOException {
        String doc = java.nio.file.Files.readString(Path.of("..", "docs", "scenario-format.md"));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("```yaml\n(workload:\n  kind: multi-region\n.*?)```",
                java.util.regex.Pattern.DOTALL).matcher(doc);
        assertThat(m.find()).as("the kind: multi-region example in docs/scenario-format.md").isTrue();
        String text = HEAD.substring(0, HEAD.indexOf("workload:")) + m.group(1);
        assertThat(spec(text)).isEqualTo(MultiRegionSpec.defaults());
    }

    @Test
    void everyKeyIsRead() {
        MultiRegionSpec s = spec(mr(
                "span: 7d",
                "rate_per_s: 2.5",
                "diurnal: 0",
                "origins: {ap-southeast-1: 0.5, ap-southeast-5: 0.25, ap-southeast-7: 0.25}",
                "classes:",
                "  inference: {share: 0.6, gpu_models: [H20], tier: spot, priority: burstable, max_gpus: 2,",
                "              latency_slo_ms: {40: 0.2, none: 0.3, 10: 0.5}, gang: {2: 0.1},",
                "              durations: {distribution: exponential, mean: 1h}}",
                "  training: {share: 0.1, gpu_models: any, tier: {reserved: 0.75, on-demand: 0.25}, min_gpus: 4,",
                "             whole_gpus: false, gang: none, latency_slo_ms: 100}",
                "  batch: {share: 0.3, latency_slo_ms: none}",
                "residency: {none: 0.5, region: 0.5}"));
        assertThat(s.spanMs()).isEqualTo(7 * 86_400_000L);
        assertThat(s.byLoad()).isFalse();
        assertThat(s.ratePerSecond()).isEqualTo(2.5);
        assertThat(s.load()).isZero();
        assertThat(s.diurnal()).isZero();
        assertThat(s.origins()).containsExactly(new Share<>("ap-southeast-1", 0.5), new Share<>("ap-southeast-5", 0.25),
                new Share<>("ap-southeast-7", 0.25));
        assertThat(s.residency()).isEqualTo(new Residency(0.5, 0, 0.5));
        JobClass inf = cls(s, "inference");
        assertThat(inf.share()).isCloseTo(0.6, within(1e-12));
        assertThat(inf.gpuModels()).containsExactly("H20");
        assertThat(inf.tiers()).containsExactly(new Share<>(Tier.SPOT, 1.0));
        assertThat(inf.priority()).isEqualTo(PriorityClass.BURSTABLE);
        assertThat(inf.maxGpus()).isEqualTo(2);
        assertThat(inf.sloMs()).as("ascending, none last").containsExactly(new Share<>(10, 0.5), new Share<>(40, 0.2),
                new Share<>(PlacementRules.NO_SLO, 0.3));
        assertThat(inf.gangs()).containsExactly(new Share<>(2, 0.1));
        assertThat(inf.durations()).isEqualTo(new DurationSpec.Exponential(3_600_000L, DurationSpec.NO_MAX));
        JobClass tr = cls(s, "training");
        assertThat(tr.anyModel()).isTrue();
        assertThat(tr.tiers()).as("enum order").containsExactly(new Share<>(Tier.ON_DEMAND, 0.25), new Share<>(Tier.RESERVED, 0.75));
        assertThat(tr.minGpus()).isEqualTo(4);
        assertThat(tr.wholeGpus()).isFalse();
        assertThat(tr.gangs()).isEmpty();
        assertThat(tr.sloMs()).containsExactly(new Share<>(100, 1.0));
        JobClass batch = cls(s, "batch");
        assertThat(batch.sloMs()).containsExactly(new Share<>(PlacementRules.NO_SLO, 1.0));
        assertThat(batch.durations()).as("untouched keys keep the class's defaults").isEqualTo(JobClass.defaultFor("batch").durations());
    }

    @Test
    void aClassLeftOutKeepsItsDefaultShareAndSharesWithinAThousandthAreNormalised() {
        MultiRegionSpec s = spec(mr("classes: {inference: {share: 0.333}, training: {share: 0.333}, batch: {share: 0.333}}"));
        assertThat(s.classes()).extracting(JobClass::share).allSatisfy(v -> assertThat(v).isCloseTo(1 / 3.0, within(1e-12)));
        MultiRegionSpec t = spec(mr("classes: {inference: {share: 0.6}, batch: {share: 0.25}}"));
        assertThat(t.classes()).extracting(JobClass::share).containsExactly(0.6, 0.15, 0.25);
    }

    @Test
    void theWorkloadKindListNamesMultiRegion() {
        ScenarioException e = (ScenarioException) catchThrowable(() -> ScenarioParser.parse(HEAD.replace("multi-region", "multiregion"), SRC));
        assertThat(e.getMessage()).contains("expected one of openb, dlrm, generated, multi-region; did you mean 'multi-region'?");
    }

    @Test
    void theLoaderRefusesANonRegionalFleet() {
        Scenario sc = ScenarioParser.parse(mr(), SRC);
        assertThatThrownBy(() -> ScenarioLoader.load(sc, Path.of("."), Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("scenario test: workload kind multi-region needs a regional fleet; remove fleet: to use the built-in"
                        + " demo fleet or give fleet: {kind: regional, file: ...}");
    }

    @Test
    void onTheDemoFleetOriginsAreCheckedAtParseTime() {
        ScenarioException e = (ScenarioException) catchThrowable(() -> ScenarioParser.parse(
                "name: test\nworkload:\n  kind: multi-region\n  origins: {ap-southeast-1: 0.5, eu-west-1: 0.5}\n", SRC));
        assertThat(e.line()).isEqualTo(4);
        assertThat(e.key()).isEqualTo("workload.origins.eu-west-1");
        assertThat(e.value()).isEqualTo("eu-west-1");
        assertThat(e.problem()).startsWith("region 'eu-west-1' is not in fleet sea-ai-cloud; expected one of ap-southeast-1,");
    }

    @Test
    void theLoaderGeneratesOnTheDemoFleetAndPassesTheGeneratorsNotesOn() {
        Scenario sc = ScenarioParser.parse("name: mr\nworkload: {kind: multi-region, span: 2d}\n", SRC);
        ScenarioLoader.Loaded l = ScenarioLoader.load(sc, Path.of("."), Map.of());
        assertThat(l.workload().jobs()).isGreaterThan(1000);
        assertThat(l.workload().hasRules()).isTrue();
        assertThat(l.workload().rules(0).origin()).isNotNull();
        assertThat(l.notes()).anyMatch(n -> n.startsWith("multi-region workload: ") && n.contains("offered load 0.70 of 6,144 GPUs"));
        assertThat(l.notes()).anyMatch(n -> n.contains("training jobs from ap-southeast-5 with residency")
                && n.contains("their residency was widened to none"));
    }

    // ---------------------------------------------------------------- rejections

    static Stream<Arguments> invalid() {
        return Stream.of(
                // label, text, line, key, value (null = none), message fragment
                bad("unknown key", mr("colour: 1"), 8, "workload.colour", null,
                        "unknown key 'colour'; allowed keys for workload kind multi-region: kind, span, load, rate_per_s, diurnal,"
                                + " origins, classes, residency"),
                bad("typo suggests", mr("diurnl: 0.2"), 8, "workload.diurnl", null, "did you mean 'diurnal'?"),
                bad("load and rate", mr("load: 0.5", "rate_per_s: 3"), 9, "workload.rate_per_s", "3",
                        "'rate_per_s' cannot be combined with 'load'"),
                bad("load zero", mr("load: 0"), 8, "workload.load", "0", "expected an offered load in (0, 10]"),
                bad("load too high", mr("load: 11"), 8, "workload.load", "11", "expected an offered load in (0, 10]"),
                bad("load text", mr("load: high"), 8, "workload.load", "high", "expected a number"),
                bad("rate zero", mr("rate_per_s: 0"), 8, "workload.rate_per_s", "0", "expected jobs per second > 0"),
                bad("span zero", mr("span: 0s"), 8, "workload.span", "0s", "expected a duration > 0"),
                bad("span words", mr("span: 30 days"), 8, "workload.span", "30 days", "units ms, s, m, h, d"),
                bad("diurnal above 1", mr("diurnal: 1.5"), 8, "workload.diurnal", "1.5", "expected an amplitude in 0..1"),
                bad("origins empty", mr("origins: {}"), 8, "workload.origins", null, "expected at least one origin region"),
                bad("origins list", mr("origins: [ap-southeast-1]"), 8, "workload.origins", null, "got a list"),
                bad("origins sum", mr("origins: {ap-southeast-1: 0.5, ap-southeast-3: 0.4}"), 8, "workload.origins", null,
                        "origin shares add up to 0.9 (0.5 + 0.4); expected 1"),
                bad("origin share above 1", mr("origins:", "  ap-southeast-1: 1.1"), 9, "workload.origins.ap-southeast-1", "1.1",
                        "expected a share in 0..1"),
                bad("residency sum", mr("residency: {none: 0.5}"), 8, "workload.residency", null,
                        "residency shares add up to 0.5 (0.5 + 0 + 0); expected 1"),
                bad("residency typo", mr("residency: {nnoe: 1}"), 8, "workload.residency.nnoe", null,
                        "unknown key 'nnoe'; did you mean 'none'?"),
                bad("class shares", mr("classes:", "  inference: {share: 0.7}", "  training: {share: 0.3}"), 9, "workload.classes", null,
                        "class shares add up to 1.35 (inference 0.7 + training 0.3 + batch 0.35 (default)); expected 1"),
                bad("unknown class", mr("classes: {serving: {share: 1}}"), 8, "workload.classes.serving", null,
                        "unknown key 'serving'; allowed keys under classes (a class left out keeps its defaults): inference, training,"
                                + " batch"),
                bad("class empty", mr("classes:", "  batch:"), 9, "workload.classes.batch", null, "got an empty value"),
                bad("class key typo", mr("classes: {training: {gpu_model: [H100]}}"), 8, "workload.classes.training.gpu_model", null,
                        "did you mean 'gpu_models'?"),
                bad("share above 1", mr("classes: {batch: {share: 2}}"), 8, "workload.classes.batch.share", "2",
                        "expected a share in 0..1"),
                bad("gpu model case", mr("classes:", "  inference:", "    gpu_models: [H100, h20]"), 10,
                        "workload.classes.inference.gpu_models[1]", "h20", "did you mean 'H20'?"),
                bad("gpu models empty", mr("classes: {inference: {gpu_models: []}}"), 8, "workload.classes.inference.gpu_models", null,
                        "expected at least one GPU model, or 'any'"),
                bad("gpu models word", mr("classes: {batch: {gpu_models: all}}"), 8, "workload.classes.batch.gpu_models", "all",
                        "expected one of any"),
                bad("gpu model twice", mr("classes: {training: {gpu_models: [H100, H100]}}"), 8,
                        "workload.classes.training.gpu_models[1]", "H100", "listed twice"),
                bad("tier unknown", mr("classes: {batch: {tier: gold}}"), 8, "workload.classes.batch.tier", "gold",
                        "expected one of on-demand, spot, reserved"),
                bad("tier sum", mr("classes: {training: {tier: {spot: 0.5}}}"), 8, "workload.classes.training.tier", null,
                        "tier shares add up to 0.5"),
                bad("priority unknown", mr("classes: {batch: {priority: high}}"), 8, "workload.classes.batch.priority", "high",
                        "expected one of best-effort, burstable, latency-sensitive"),
                bad("slo with unit", mr("classes:", "  inference:", "    latency_slo_ms: {20ms: 1}"), 10,
                        "workload.classes.inference.latency_slo_ms.20ms", "20ms", "write the number without the unit"),
                bad("slo word", mr("classes: {inference: {latency_slo_ms: soon}}"), 8, "workload.classes.inference.latency_slo_ms",
                        "soon", "expected a round-trip latency SLO in whole ms, 0..100000 (e.g. 20), or 'none'"),
                bad("slo sum", mr("classes: {inference: {latency_slo_ms: {20: 0.5, 40: 0.4}}}"), 8,
                        "workload.classes.inference.latency_slo_ms", null, "latency SLO shares add up to 0.9"),
                bad("gang size 1", mr("classes:", "  training:", "    gang: {1: 0.2}"), 10, "workload.classes.training.gang.1", "1",
                        "expected a gang size (workers) 2..256"),
                bad("gang sum", mr("classes: {training: {gang: {2: 0.8, 4: 0.4}}}"), 8, "workload.classes.training.gang", null,
                        "gang shares add up to 1.2; expected at most 1"),
                bad("min above max", mr("classes: {inference: {min_gpus: 2}}"), 8, "workload.classes.inference.min_gpus", "2",
                        "expected min_gpus (2) <= max_gpus (1)"),
                bad("max gpus range", mr("classes: {batch: {max_gpus: 17}}"), 8, "workload.classes.batch.max_gpus", "17",
                        "expected a whole number in 0..16"),
                bad("whole gpus yes", mr("classes: {batch: {whole_gpus: yes}}"), 8, "workload.classes.batch.whole_gpus", "yes",
                        "expected true or false"),
                bad("durations kind", mr("classes: {batch: {durations: {distribution: normal}}}"), 8,
                        "workload.classes.batch.durations.distribution", "normal", "expected one of lognormal, pareto"),
                bad("infinite mean with load", mr("classes:", "  training:", "    durations: {distribution: pareto, min: 1m, alpha: 0.9}"),
                        10, "workload.classes.training.durations", null, "infinite mean, so load cannot set the arrival rate"));
    }

    private static Arguments bad(String label, String text, int line, String key, String value, String fragment) {
        return Arguments.of(label, text, line, key, value, fragment);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void invalidInputNamesLineKeyAndValue(String label, String text, int line, String key, String value, String fragment) {
        Throwable t = catchThrowable(() -> ScenarioParser.parse(text, SRC));
        assertThat(t).as(label).isInstanceOf(ScenarioException.class);
        ScenarioException e = (ScenarioException) t;
        assertThat(e.line()).as("line of: %s", e.getMessage()).isEqualTo(line);
        assertThat(e.key()).as("key of: %s", e.getMessage()).isEqualTo(key);
        assertThat(e.value()).as("value of: %s", e.getMessage()).isEqualTo(value);
        assertThat(e.getMessage()).startsWith(SRC + ", line " + line + ", key " + key + ": ").contains(fragment);
    }

    @Test
    void aParetoWithAlphaAtMostOneIsFineWithARate() {
        MultiRegionSpec s = spec(mr("rate_per_s: 1", "classes:", "  training:",
                "    durations: {distribution: pareto, min: 1m, alpha: 0.9}"));
        assertThat(cls(s, "training").durations()).isEqualTo(new DurationSpec.Pareto(60_000, 0.9, DurationSpec.NO_MAX));
        assertThat(List.of(s.ratePerSecond())).containsExactly(1.0);
    }
}
