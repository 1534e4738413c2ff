package io.archipelago.sim.synth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.archipelago.core.geo.NodePool;
import io.archipelago.core.geo.PlacementRules;
import io.archipelago.core.geo.RegionalFleet;
import io.archipelago.core.geo.SiteReason;
import io.archipelago.core.geo.Tier;
import io.archipelago.core.model.GpuModels;
import io.archipelago.core.model.TaskSpec;
import io.archipelago.sim.engine.PriorityClass;
import io.archipelago.sim.engine.Workload;
import io.archipelago.sim.scenario.DurationSpec;
import io.archipelago.sim.scenario.MultiRegionSpec;
import io.archipelago.sim.scenario.MultiRegionSpec.JobClass;
import io.archipelago.sim.scenario.MultiRegionSpec.Residency;
import io.archipelago.sim.scenario.MultiRegionSpec.Share;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

/**
 * Specification of {@code workload: {kind: multi-region}}: the generated jobs follow the spec's
 * shares, offer the requested load, follow the daily cycle, can all be placed on the fleet, and
 * every relaxation of a rule the fleet cannot meet is counted and told to the user.
 */
class MultiRegionWorkloadTest {
    private static final long DAY = MultiRegionSpec.DAY_MS;
    private static final List<Double> WEIGHTS = new ArrayList<>();
    private static final List<TaskSpec> SHAPES = MultiRegionFleets.openbShapes(WEIGHTS);

    private static MultiRegionSpec spec(long spanMs, double load, double rate, double diurnal, List<Share<String>> origins,
                                        List<JobClass> classes, Residency residency) {
        return new MultiRegionSpec(spanMs, load, rate, diurnal, origins, classes, residency);
    }

    /** About {@code jobs} jobs over 10 days with the default classes and residency. */
    private static MultiRegionSpec byRate(int jobs, List<Share<String>> origins) {
        return spec(10 * DAY, 0, jobs / (10 * 86_400.0), 0.3, origins, JobClass.defaults(), Residency.DEFAULT);
    }

    private static MultiRegionWorkload.Result generate(MultiRegionSpec s, RegionalFleet f, long seed) {
        return MultiRegionWorkload.generate(s, f, SHAPES, WEIGHTS, seed);
    }

    private static JobClass withShare(JobClass c, double share) {
        return new JobClass(c.name(), share, c.gpuModels(), c.tiers(), c.priority(), c.durations(), c.minGpus(), c.maxGpus(),
                c.wholeGpus(), c.sloMs(), c.gangs());
    }

    private static String residencyOf(PlacementRules r) {
        return !r.regions().isEmpty() ? "region" : !r.jurisdictions().isEmpty() ? "jurisdiction" : "none";
    }

    // ---------------------------------------------------------------- shares

    @Test
    void classOriginResidencyTierSloAndGangSharesFollowTheSpec() {
        List<Share<String>> origins = List.of(new Share<>("ap-southeast-1", 0.4), new Share<>("ap-southeast-3", 0.3),
                new Share<>("ap-southeast-8", 0.2), new Share<>("ap-southeast-7", 0.1));
        MultiRegionWorkload.Result r = generate(byRate(100_000, origins), MultiRegionFleets.uniform(), 7);
        Workload w = r.workload();
        int n = w.jobs();
        assertThat(n).isBetween(98_000, 102_000);
        assertThat(r.relaxations()).as("the uniform fleet meets every rule").isEmpty();

        Map<String, Integer> byClass = new TreeMap<>();
        Map<String, Integer> byOrigin = new TreeMap<>();
        Map<String, Integer> byResidency = new TreeMap<>();
        Map<String, Integer> inferenceSlo = new TreeMap<>();
        Map<Tier, Integer> trainingTier = new TreeMap<>();
        Map<Integer, Integer> trainingSize = new TreeMap<>();
        for (int j = 0; j < n; j++) {
            String cls = w.spec(j).name();
            PlacementRules rules = w.rules(j);
            byClass.merge(cls, 1, Integer::sum);
            byOrigin.merge(rules.origin(), 1, Integer::sum);
            byResidency.merge(residencyOf(rules), 1, Integer::sum);
            if (cls.equals("inference")) {
                inferenceSlo.merge(String.valueOf(rules.latencySloMs()), 1, Integer::sum);
                assertThat(w.priority(j)).isEqualTo(PriorityClass.LATENCY_SENSITIVE);
                assertThat(w.tier(j)).isEqualTo(Tier.ON_DEMAND);
                assertThat(w.size(j)).isEqualTo(1);
            } else if (cls.equals("training")) {
                trainingTier.merge(w.tier(j), 1, Integer::sum);
                trainingSize.merge(w.size(j), 1, Integer::sum);
                assertThat(rules.hasSlo()).isFalse();
                assertThat(w.priority(j)).isEqualTo(PriorityClass.BURSTABLE);
            } else {
                assertThat(w.tier(j)).isEqualTo(Tier.SPOT);
                assertThat(w.priority(j)).isEqualTo(PriorityClass.BEST_EFFORT);
                assertThat(w.size(j)).isEqualTo(1);
            }
        }
        double tol = 0.01; // > 4 standard deviations of a share estimated from 100k jobs
        assertThat(byClass.get("inference") / (double) n).isCloseTo(0.5, within(tol));
        assertThat(byClass.get("training") / (double) n).isCloseTo(0.15, within(tol));
        assertThat(byClass.get("batch") / (double) n).isCloseTo(0.35, within(tol));
        assertThat(byOrigin.get("ap-southeast-1") / (double) n).isCloseTo(0.4, within(tol));
        assertThat(byOrigin.get("ap-southeast-3") / (double) n).isCloseTo(0.3, within(tol));
        assertThat(byOrigin.get("ap-southeast-8") / (double) n).isCloseTo(0.2, within(tol));
        assertThat(byOrigin.get("ap-southeast-7") / (double) n).isCloseTo(0.1, within(tol));
        assertThat(byResidency.get("none") / (double) n).isCloseTo(0.6, within(tol));
        assertThat(byResidency.get("jurisdiction") / (double) n).isCloseTo(0.3, within(tol));
        assertThat(byResidency.get("region") / (double) n).isCloseTo(0.1, within(tol));
        int inf = byClass.get("inference");
        assertThat(inferenceSlo.keySet()).containsExactly("20", "40");
        assertThat(inferenceSlo.get("20") / (double) inf).isCloseTo(0.5, within(2 * tol));
        int tr = byClass.get("training");
        assertThat(trainingTier.keySet()).containsExactly(Tier.SPOT, Tier.RESERVED);
        assertThat(trainingTier.get(Tier.SPOT) / (double) tr).isCloseTo(0.5, within(3 * tol));
        assertThat(trainingSize.keySet()).containsExactly(1, 2, 4);
        assertThat(trainingSize.get(2) / (double) tr).isCloseTo(0.2, within(3 * tol));
        assertThat(trainingSize.get(4) / (double) tr).isCloseTo(0.1, within(3 * tol));
    }

    @Test
    void originsDefaultToEachRegionsShareOfTheFleetGpus() {
        RegionalFleet sea = MultiRegionFleets.sea();
        // GPUs: SIN 64 + 32, KUL 64 + 32, JHB 64, BKK 32 + 32 = 320
        MultiRegionWorkload.Result r = generate(byRate(50_000, List.of()), sea, 3);
        Workload w = r.workload();
        Map<String, Integer> byOrigin = new TreeMap<>();
        for (int j = 0; j < w.jobs(); j++) {
            byOrigin.merge(w.rules(j).origin(), 1, Integer::sum);
        }
        double n = w.jobs();
        assertThat(byOrigin.get("ap-southeast-1") / n).isCloseTo(96 / 320.0, within(0.01));
        assertThat(byOrigin.get("ap-southeast-3") / n).isCloseTo(96 / 320.0, within(0.01));
        assertThat(byOrigin.get("ap-southeast-8") / n).isCloseTo(64 / 320.0, within(0.01));
        assertThat(byOrigin.get("ap-southeast-7") / n).isCloseTo(64 / 320.0, within(0.01));
        assertThat(r.notes().get(0)).contains("(by GPUs)");
    }

    @Test
    void classesUseTheirOpenbShapesWithTheirOwnGpuModels() {
        Workload w = generate(byRate(20_000, List.of()), MultiRegionFleets.uniform(), 1).workload();
        long infMask = mask("H20", "A10", "H100", "H200");
        long trMask = mask("H100", "H200");
        Set<String> seen = new HashSet<>();
        for (TaskSpec t : w.prototypes()) {
            seen.add(t.name());
            switch (t.name()) {
                case "inference" -> {
                    assertThat(t.gpuCount()).as("inference takes at most max_gpus (1) GPU, no CPU-only shape").isEqualTo(1);
                    assertThat(t.allowedModels()).isEqualTo(infMask);
                    assertThat(t.gpuSpec()).isEqualTo("H20|A10|H100|H200");
                }
                case "training" -> {
                    assertThat(t.gpuCount()).isPositive();
                    assertThat(t.gpuMilli()).as("training takes whole GPUs").isEqualTo(1000);
                    assertThat(t.allowedModels()).isEqualTo(trMask);
                }
                case "batch" -> assertThat(t.allowedModels()).as("batch runs on any model").isZero();
                default -> throw new AssertionError(t.name());
            }
        }
        assertThat(seen).containsExactlyInAnyOrder("inference", "training", "batch");
        assertThat(w.prototypes()).anyMatch(t -> t.name().equals("inference") && t.isSharing());
        assertThat(w.prototypes()).anyMatch(t -> t.name().equals("batch") && t.gpuCount() == 0);
        assertThat(w.prototypes()).anyMatch(t -> t.name().equals("training") && t.gpuCount() == 8);
    }

    private static long mask(String... models) {
        long m = 0;
        for (String s : models) {
            m |= 1L << GpuModels.idOf(s);
        }
        return m;
    }

    // ---------------------------------------------------------------- load and time

    @Test
    void offeredLoadIsWithinFivePercentOfTheTarget() {
        RegionalFleet f = MultiRegionFleets.uniform();
        MultiRegionSpec s = spec(40 * DAY, 0.7, 0, 0.3, List.of(), JobClass.defaults(), Residency.DEFAULT);
        MultiRegionWorkload.Result r = generate(s, f, 11);
        Workload w = r.workload();
        assertThat(w.jobs()).as("enough jobs for a tight estimate").isGreaterThan(80_000);
        double gpuMs = 0;
        for (int j = 0; j < w.jobs(); j++) {
            gpuMs += w.spec(j).gpuDemandMilli() / 1000.0 * w.size(j) * w.duration(j);
        }
        double offered = gpuMs / (s.spanMs() * (double) f.gpuCount());
        assertThat(offered).isCloseTo(0.7, within(0.7 * 0.05));
        assertThat(r.offeredLoad()).isEqualTo(0.7);
        assertThat(r.ratePerSecond()).isCloseTo(0.7 * f.gpuCount() / r.meanGpuSecondsPerJob(), within(1e-12));
        assertThat(w.jobs()).isCloseTo((int) Math.round(r.ratePerSecond() * 40 * 86_400), within(2_000));
    }

    @Test
    void arrivalRateFollowsTheDailySinePeakingAt14hLocal() {
        double a = 0.3;
        MultiRegionSpec s = spec(20 * DAY, 0, 0.1, a, List.of(), JobClass.defaults(), Residency.DEFAULT);
        Workload w = generate(s, MultiRegionFleets.uniform(), 5).workload();
        int[] byHour = new int[24];
        for (int j = 0; j < w.jobs(); j++) {
            assertThat(w.arrival(j)).isBetween(0L, s.spanMs() - 1);
            byHour[(int) (w.arrival(j) % DAY / 3_600_000)]++;
        }
        // 06:00 UTC is 14:00 UTC+8: peak there, trough at 18:00 UTC (02:00 local)
        double peak = byHour[5] + byHour[6] + byHour[7];
        double trough = byHour[17] + byHour[18] + byHour[19];
        assertThat(peak / trough).isCloseTo((1 + a) / (1 - a), within(0.15));
        int max = 0;
        for (int h = 1; h < 24; h++) {
            if (byHour[h] > byHour[max]) {
                max = h;
            }
        }
        assertThat(max).isBetween(4, 8);
        // over whole days the mean rate is the configured one
        assertThat(w.jobs()).isCloseTo((int) (0.1 * 20 * 86_400), within(1_000));
    }

    @Test
    void flatWhenDiurnalIsZero() {
        MultiRegionSpec s = spec(20 * DAY, 0, 0.1, 0, List.of(), JobClass.defaults(), Residency.DEFAULT);
        Workload w = generate(s, MultiRegionFleets.uniform(), 5).workload();
        int[] byHalf = new int[2];
        for (int j = 0; j < w.jobs(); j++) {
            byHalf[w.arrival(j) % DAY < DAY / 2 ? 0 : 1]++;
        }
        assertThat(byHalf[0] / (double) byHalf[1]).isCloseTo(1.0, within(0.05));
    }

    // ---------------------------------------------------------------- placeability and relaxation

    @Test
    void everyGeneratedJobCanBePlacedOnTheEmptyFleetWithOneOfItsModels() {
        RegionalFleet sea = MultiRegionFleets.sea();
        MultiRegionWorkload.Result r = generate(byRate(100_000, List.of()), sea, 42);
        Workload w = r.workload();
        Set<Long> checked = new HashSet<>();
        for (int j = 0; j < w.jobs(); j++) {
            PlacementRules rules = w.rules(j);
            assertThat(rules.origin()).as("every job records its origin").isNotNull();
            long key = ((long) w.rulesIndex(j) << 40) | ((long) w.proto(j) << 16) | w.size(j);
            if (checked.add(key)) {
                assertThat(placeable(sea, rules, w.spec(j), w.size(j)))
                        .as("job %d: %s, %s x%d", j, rules.describe(), w.spec(j), w.size(j)).isTrue();
            }
        }
        assertThat(checked.size()).isGreaterThan(50);
        assertThat(r.relaxations()).as("the SEA fleet lacks H100/H200 in most regions").isNotEmpty();
    }

    /** Some site meets the rules and its pools of an allowed model hold all workers when empty (independent re-statement). */
    private static boolean placeable(RegionalFleet f, PlacementRules rules, TaskSpec t, int workers) {
        for (int s = 0; s < f.sites().size(); s++) {
            if (f.check(rules, s) != SiteReason.ELIGIBLE) {
                continue;
            }
            long fit = 0;
            for (NodePool p : f.pools()) {
                if (!p.site().equals(f.sites().get(s).name())) {
                    continue;
                }
                boolean modelOk = t.gpuCount() == 0
                        || (!p.gpuModel().isEmpty() && (t.allowedModels() == 0 || (t.allowedModels() & (1L << GpuModels.idOf(p.gpuModel()))) != 0));
                if (!modelOk || p.cpuCores() * 1000L < t.cpuMilli() || p.memoryGib() * 1024L < t.memoryMib()
                        || p.gpusPerNode() < t.gpuCount()) {
                    continue;
                }
                long perNode = Math.min(p.cpuCores() * 1000L / Math.max(1, t.cpuMilli()), p.memoryGib() * 1024L / Math.max(1, t.memoryMib()));
                if (t.gpuCount() > 0) {
                    perNode = Math.min(perNode, (long) p.gpusPerNode() / t.gpuCount() * (t.isSharing() ? 1000 / t.gpuMilli() : 1));
                }
                fit += perNode * p.nodes();
            }
            if (fit >= workers) {
                return true;
            }
        }
        return false;
    }

    @Test
    void anSloNoSiteCanMeetIsRelaxedToTheNextListedValueCountedAndNoted() {
        // Bangkok has only A10 and V100; an inference class on H20/H100/H200 reaches Kuala Lumpur (H20) in 28 ms
        JobClass inference = new JobClass("inference", 1, List.of("H20", "H100", "H200"), List.of(new Share<>(Tier.ON_DEMAND, 1)),
                PriorityClass.LATENCY_SENSITIVE, new DurationSpec.Lognormal(3_600_000, 1, DAY), 1, 1, false,
                List.of(new Share<>(20, 0.5), new Share<>(40, 0.5)), List.of());
        List<JobClass> classes = List.of(inference, withShare(JobClass.defaultFor("training"), 0),
                withShare(JobClass.defaultFor("batch"), 0));
        MultiRegionSpec s = spec(10 * DAY, 0, 0.02, 0.3, List.of(new Share<>("ap-southeast-7", 1)), classes, new Residency(1, 0, 0));
        MultiRegionWorkload.Result r = generate(s, MultiRegionFleets.sea(), 9);
        Workload w = r.workload();
        for (int j = 0; j < w.jobs(); j++) {
            assertThat(w.rules(j)).isEqualTo(new PlacementRules("ap-southeast-7", List.of(), List.of(), 40));
        }
        assertThat(r.relaxations()).hasSize(1);
        MultiRegionWorkload.Relaxation x = r.relaxations().get(0);
        assertThat(x.jobClass()).isEqualTo("inference");
        assertThat(x.origin()).isEqualTo("ap-southeast-7");
        assertThat(x.from().latencySloMs()).isEqualTo(20);
        assertThat(x.to().latencySloMs()).isEqualTo(40);
        assertThat((double) x.jobs() / w.jobs()).as("half the jobs drew 20 ms").isCloseTo(0.5, within(0.03));
        String note = String.format(java.util.Locale.ROOT, "%,d inference jobs from ap-southeast-7 had no site with an allowed GPU"
                + " model within 20 ms; their SLO was relaxed to 40 ms", x.jobs());
        assertThat(x.note()).isEqualTo(note);
        assertThat(r.notes()).anyMatch(l -> l.contains(note));
        assertThat(x.jobs()).isGreaterThan(1000);
        assertThat(note).contains(",");
    }

    @Test
    void aResidencyNoSiteCanMeetIsWidenedRegionThenJurisdictionThenNone() {
        // training runs on H100 (Singapore) and H200 (Johor) only
        List<JobClass> classes = List.of(withShare(JobClass.defaultFor("inference"), 0), withShare(JobClass.defaultFor("training"), 1),
                withShare(JobClass.defaultFor("batch"), 0));
        List<Share<String>> origins = List.of(new Share<>("ap-southeast-1", 0.25), new Share<>("ap-southeast-3", 0.25),
                new Share<>("ap-southeast-8", 0.25), new Share<>("ap-southeast-7", 0.25));
        MultiRegionSpec s = spec(10 * DAY, 0, 0.01, 0, origins, classes, new Residency(0, 0, 1));
        MultiRegionWorkload.Result r = generate(s, MultiRegionFleets.sea(), 4);
        Workload w = r.workload();
        for (int j = 0; j < w.jobs(); j++) {
            PlacementRules rules = w.rules(j);
            switch (rules.origin()) {
                case "ap-southeast-1", "ap-southeast-8" -> assertThat(rules.regions()).containsExactly(rules.origin());
                case "ap-southeast-3" -> assertThat(rules.jurisdictions()).as("Kuala Lumpur widens to MY (Johor)").containsExactly("MY");
                case "ap-southeast-7" -> assertThat(rules.restrictsResidency()).as("Thailand has no H100/H200").isFalse();
                default -> throw new AssertionError(rules.origin());
            }
        }
        List<String> notes = r.relaxations().stream().map(MultiRegionWorkload.Relaxation::note).toList();
        assertThat(notes).hasSize(2);
        assertThat(notes).anyMatch(n -> n.matches("[0-9,]+ training jobs from ap-southeast-3 with residency region ap-southeast-3 had no"
                + " site with an allowed GPU model \\(H100\\|H200\\) there that could hold them; their residency was widened to"
                + " jurisdiction MY"));
        assertThat(notes).anyMatch(n -> n.matches("[0-9,]+ training jobs from ap-southeast-7 with residency region ap-southeast-7 .*"
                + "; their residency was widened to none"));
        long relaxed = r.relaxations().stream().mapToLong(MultiRegionWorkload.Relaxation::jobs).sum();
        long expected = 0;
        for (int j = 0; j < w.jobs(); j++) {
            String o = w.rules(j).origin();
            expected += o.equals("ap-southeast-3") || o.equals("ap-southeast-7") ? 1 : 0;
        }
        assertThat(relaxed).isEqualTo(expected);
        assertThat(r.notes()).anyMatch(l -> l.startsWith(String.format(java.util.Locale.ROOT, "%,d of %,d jobs", relaxed, w.jobs())));
    }

    @Test
    void aGangThatFitsInNoSiteIsShrunkAndNoted() {
        // a 4 x 8-GPU gang on H100 needs 4 nodes; Singapore has 2
        RegionalFleet small = MultiRegionFleets.fleet("small", List.of(
                MultiRegionFleets.pool("h100", "SIN-A", "H100", 8, 2),
                MultiRegionFleets.pool("a10", "BKK-A", "A10", 4, 2)));
        JobClass training = new JobClass("training", 1, List.of("H100"), List.of(new Share<>(Tier.RESERVED, 1)), PriorityClass.BURSTABLE,
                new DurationSpec.Fixed(3_600_000), 8, 8, true, List.of(new Share<>(PlacementRules.NO_SLO, 1)),
                List.of(new Share<>(2, 0.5), new Share<>(4, 0.5)));
        MultiRegionSpec s = spec(DAY, 0, 0.01, 0, List.of(), List.of(training), new Residency(1, 0, 0));
        MultiRegionWorkload.Result r = generate(s, small, 2);
        for (int j = 0; j < r.workload().jobs(); j++) {
            assertThat(r.workload().size(j)).isIn(1, 2);
        }
        assertThat(r.relaxations()).isNotEmpty().allMatch(x -> x.gangFrom() == 4 && x.gangTo() == 2
                && x.note().contains("gangs of 4 workers from") && x.note().contains("shrunk to 2 workers"));
    }

    @Test
    void shapesNoNodeOfTheClassModelsCanHoldAreLeftOutWithANote() {
        // only 4-GPU A10 nodes: training shapes with 8 GPUs cannot run anywhere
        RegionalFleet a10 = MultiRegionFleets.fleet("a10-only", List.of(MultiRegionFleets.pool("a10", "SIN-A", "A10", 4, 16)));
        JobClass training = new JobClass("training", 1, List.of("A10"), List.of(new Share<>(Tier.SPOT, 1)), PriorityClass.BURSTABLE,
                new DurationSpec.Fixed(3_600_000), 1, 16, true, List.of(new Share<>(PlacementRules.NO_SLO, 1)), List.of());
        MultiRegionSpec s = spec(DAY, 0, 0.05, 0, List.of(), List.of(training), Residency.DEFAULT);
        MultiRegionWorkload.Result r = generate(s, a10, 2);
        assertThat(r.workload().prototypes()).allMatch(t -> t.gpuCount() <= 4);
        assertThat(r.notes()).anyMatch(l -> l.startsWith("training jobs: ") && l.contains("fit no node of A10 in fleet a10-only"));
    }

    // ---------------------------------------------------------------- determinism, speed, errors

    @Test
    void theSameSeedGivesTheSameWorkloadAndAnotherSeedAnotherOne() {
        MultiRegionSpec s = byRate(30_000, List.of());
        Workload a = generate(s, MultiRegionFleets.sea(), 123).workload();
        Workload b = generate(s, MultiRegionFleets.sea(), 123).workload();
        Workload c = generate(s, MultiRegionFleets.sea(), 124).workload();
        assertThat(a.jobs()).isEqualTo(b.jobs());
        assertThat(a.prototypes()).isEqualTo(b.prototypes());
        assertThat(a.rulesList()).isEqualTo(b.rulesList());
        for (int j = 0; j < a.jobs(); j++) {
            assertThat(a.arrival(j)).isEqualTo(b.arrival(j));
            assertThat(a.duration(j)).isEqualTo(b.duration(j));
            assertThat(a.proto(j)).isEqualTo(b.proto(j));
            assertThat(a.rulesIndex(j)).isEqualTo(b.rulesIndex(j));
            assertThat(a.size(j)).isEqualTo(b.size(j));
            assertThat(a.tier(j)).isEqualTo(b.tier(j));
            assertThat(a.priority(j)).isEqualTo(b.priority(j));
            assertThat(a.tenant(j)).isEqualTo(b.tenant(j));
        }
        boolean differs = a.jobs() != c.jobs();
        for (int j = 0; !differs && j < Math.min(a.jobs(), 100); j++) {
            differs = a.arrival(j) != c.arrival(j) || a.proto(j) != c.proto(j);
        }
        assertThat(differs).isTrue();
    }

    @Test
    void tenantsComeFromTheCallersAssignment() {
        MultiRegionSpec s = byRate(5_000, List.of());
        int[] calls = new int[1];
        MultiRegionWorkload.Result r = MultiRegionWorkload.generate(s, MultiRegionFleets.sea(), SHAPES, WEIGHTS, n -> {
            calls[0]++;
            int[] t = new int[n];
            for (int i = 0; i < n; i++) {
                t[i] = i % 3;
            }
            return t;
        }, 1);
        assertThat(calls[0]).isEqualTo(1);
        for (int j = 0; j < r.workload().jobs(); j++) {
            assertThat(r.workload().tenant(j)).isEqualTo(j % 3);
        }
    }

    @Test
    void oneAndAHalfMillionJobsTakeOnlyAFewSeconds() {
        MultiRegionSpec s = spec(30 * DAY, 0, 1_500_000 / (30 * 86_400.0), 0.3, List.of(), JobClass.defaults(), Residency.DEFAULT);
        generate(byRate(10_000, List.of()), MultiRegionFleets.sea(), 1); // warm-up
        long t0 = System.nanoTime();
        Workload w = generate(s, MultiRegionFleets.sea(), 1).workload();
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertThat(w.jobs()).isBetween(1_490_000, 1_510_000);
        assertThat(seconds).as("generation time, s").isLessThan(10);
    }

    @Test
    void anOriginTheFleetDoesNotHaveIsRejected() {
        MultiRegionSpec s = byRate(1_000, List.of(new Share<>("eu-west-1", 1)));
        assertThatThrownBy(() -> generate(s, MultiRegionFleets.sea(), 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("workload.origins: region 'eu-west-1' is not in fleet sea-test; expected one of ap-southeast-1,");
    }

    @Test
    void aClassWhoseModelsTheFleetLacksIsRejected() {
        JobClass b200 = new JobClass("training", 1, List.of("B200"), List.of(new Share<>(Tier.SPOT, 1)), PriorityClass.BURSTABLE,
                new DurationSpec.Fixed(60_000), 1, 8, true, List.of(new Share<>(PlacementRules.NO_SLO, 1)), List.of());
        MultiRegionSpec s = spec(DAY, 0.5, 0, 0, List.of(), List.of(b200), Residency.DEFAULT);
        assertThatThrownBy(() -> generate(s, MultiRegionFleets.sea(), 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("workload.classes.training: no task shape fits a node of B200 in fleet sea-test")
                .hasMessageContaining("change classes.training.gpu_models or the fleet");
    }
}
