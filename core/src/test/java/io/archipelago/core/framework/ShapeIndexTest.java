package io.archipelago.core.framework;

import io.archipelago.core.cluster.ClusterState;
import io.archipelago.core.frag.Fragmentation;
import io.archipelago.core.frag.TargetWorkload;
import io.archipelago.core.model.GpuModels;
import io.archipelago.core.model.NodeSpec;
import io.archipelago.core.model.Qos;
import io.archipelago.core.model.TaskSpec;
import io.archipelago.core.policy.Policies;
import io.archipelago.core.policy.PolicyContext;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Collectors;

import static io.archipelago.core.Fixtures.node;
import static io.archipelago.core.Fixtures.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The indexed path of {@link Scheduler} against the linear scan: on random fleets and random
 * sequences of placements, departures and outages, both pick the same node, GPUs and score and see
 * the same feasible count, for every cacheable policy of the study, including ties, shapes never seen
 * before and shapes that fell behind the change log.
 */
class ShapeIndexTest {
    private static final String[] MODELS = {"G2", "T4", "P100", "V100M32"};
    private static final List<String> CACHEABLE = Policies.names().stream().filter(p -> !p.equals("Random")).toList();

    /** A task placed on both clusters. */
    private record Bound(int node, TaskSpec task, int mask) {
    }

    /** Two identical clusters, one scheduled by the index and one by the scan. */
    private static final class Twin {
        final ClusterState a;
        final ClusterState b;
        final Scheduler indexed;
        final Scheduler scan;
        final List<Bound> bound = new ArrayList<>();
        int placements;
        int failures;
        int rebuildsForced;

        Twin(List<NodeSpec> fleet, String policy, List<TaskSpec> target, int replayLimit) {
            a = new ClusterState(fleet);
            b = new ClusterState(fleet);
            indexed = new Scheduler(a, Policies.profile(policy, ctx(a, target)), true, replayLimit);
            scan = Scheduler.linearScan(b, Policies.profile(policy, ctx(b, target)));
            assertThat(indexed.indexed()).as(policy).isTrue();
            assertThat(scan.indexed()).isFalse();
        }

        private static PolicyContext ctx(ClusterState s, List<TaskSpec> target) {
            return new PolicyContext(s, new SplittableRandom(1), new Fragmentation(TargetWorkload.of(target)));
        }

        void schedule(TaskSpec t, int how) {
            if (how == 0) {
                Decision da = indexed.schedule(t);
                Decision db = scan.schedule(t);
                assertThat(da).as("schedule %s", t).isEqualTo(db);
                if (da instanceof Decision.Placed p) {
                    bound.add(new Bound(p.node(), t, p.gpuMask()));
                    placements++;
                } else {
                    failures++;
                    assertThat(indexed.explainLast()).isEqualTo(scan.explainLast());
                }
            } else if (how == 1) {
                int na = indexed.place(t, indexed.shapeOf(t));
                int nb = scan.place(t, scan.shapeOf(t));
                assertThat(na).as("place %s", t).isEqualTo(nb);
                assertThat(indexed.lastFeasible()).isEqualTo(scan.lastFeasible());
                if (na >= 0) {
                    assertThat(indexed.lastGpuMask()).isEqualTo(scan.lastGpuMask());
                    bound.add(new Bound(na, t, indexed.lastGpuMask()));
                    placements++;
                } else {
                    failures++;
                    assertThat(indexed.explainLast()).isEqualTo(scan.explainLast());
                }
            } else {
                assertThat(indexed.preview(t)).as("preview %s", t).isEqualTo(scan.preview(t));
            }
        }

        void unbind(int k) {
            Bound x = bound.remove(k);
            a.unbind(x.node(), x.task(), x.mask());
            b.unbind(x.node(), x.task(), x.mask());
        }

        /** Evicts everything on {@code node}, then takes it down (or brings it back up). */
        void toggle(int node) {
            if (a.isUp(node)) {
                for (int k = bound.size() - 1; k >= 0; k--) {
                    if (bound.get(k).node() == node) {
                        unbind(k);
                    }
                }
            }
            boolean up = !a.isUp(node);
            a.setUp(node, up);
            b.setUp(node, up);
        }
    }

    // ---- random inputs ----

    private static List<NodeSpec> fleet(SplittableRandom r, int n) {
        // few node types, so that score ties between nodes are common
        int types = 1 + r.nextInt(4);
        NodeSpec[] kinds = new NodeSpec[types];
        for (int k = 0; k < types; k++) {
            int gpus = new int[] {0, 1, 2, 4, 8}[r.nextInt(5)];
            int model = GpuModels.idOf(MODELS[r.nextInt(MODELS.length)]);
            kinds[k] = new NodeSpec("k", (8 + r.nextInt(121)) * 1000, (16 + r.nextInt(500)) * 1024L, gpus,
                    gpus == 0 ? -1 : model, r.nextInt(3) == 0 ? 100 : 0);
        }
        List<NodeSpec> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(kinds[r.nextInt(types)].renamed("n" + i));
        }
        return out;
    }

    private static int seq;

    private static TaskSpec randomTask(SplittableRandom r) {
        int kind = r.nextInt(6);
        int k = kind == 0 ? 0 : kind <= 2 ? 1 : kind == 3 ? 2 : kind == 4 ? 4 : 8;
        int g = k == 0 ? 0 : kind == 1 ? 50 * (1 + r.nextInt(19)) : 1000;
        String spec = k == 0 || r.nextInt(3) > 0 ? "" : MODELS[r.nextInt(MODELS.length)];
        long mask = spec.isEmpty() ? 0 : 1L << GpuModels.idOf(spec);
        int rdma = r.nextInt(5) == 0 ? 10 * (1 + r.nextInt(5)) : 0;
        int maxPerNode = r.nextInt(5) == 0 ? 1 + r.nextInt(2) : 0;
        int group = maxPerNode > 0 ? r.nextInt(3) : -1;
        return new TaskSpec("t" + (seq++), 1000 * r.nextInt(24), 1024L * r.nextInt(48), k, g, spec, mask,
                Qos.UNSPECIFIED, -1, -1, -1, rdma, group, maxPerNode);
    }

    /**
     * Runs {@code ops} random operations on a twin. Shapes are drawn from a pool with skewed
     * frequencies (so rare shapes fall far behind the log), and one draw in 25 is a shape never seen.
     */
    private static Twin run(long seed, String policy, int nodes, int replayLimit, int ops) {
        SplittableRandom r = new SplittableRandom(seed);
        List<TaskSpec> pool = new ArrayList<>();
        for (int i = 0, m = 3 + r.nextInt(10); i < m; i++) {
            pool.add(randomTask(r));
        }
        Twin tw = new Twin(fleet(r, nodes), policy, pool, replayLimit);
        for (int op = 0; op < ops; op++) {
            int what = r.nextInt(100);
            if (what < 50) {
                TaskSpec t;
                if (r.nextInt(25) == 0) {
                    t = randomTask(r);
                } else {
                    // index min of two uniforms: shape 0 common, the last ones rare
                    int i = Math.min(r.nextInt(pool.size()), Math.min(r.nextInt(pool.size()), r.nextInt(pool.size())));
                    t = pool.get(i).renamed("t" + (seq++));
                }
                tw.schedule(t, r.nextInt(5) == 0 ? 2 : r.nextInt(2));
            } else if (what < 85) {
                if (!tw.bound.isEmpty()) {
                    tw.unbind(r.nextInt(tw.bound.size()));
                }
            } else if (what < 92) {
                tw.toggle(r.nextInt(nodes));
            } else {
                // a burst of departures: rarely used shapes fall behind by many changes
                for (int k = 0, m = r.nextInt(2 * nodes + 1); k < m && !tw.bound.isEmpty(); k++) {
                    tw.unbind(r.nextInt(tw.bound.size()));
                }
            }
        }
        tw.a.checkInvariants();
        return tw;
    }

    // ---- properties ----

    @Provide
    Arbitrary<String> policies() {
        return Arbitraries.of(CACHEABLE);
    }

    @Provide
    Arbitrary<Integer> nodeCounts() {
        return Arbitraries.of(1, 2, 15, 16, 17, 40, 130);
    }

    @Provide
    Arbitrary<Integer> replayLimits() {
        return Arbitraries.of(Scheduler.AUTO, 0, 1, 3, 17);
    }

    @Property(tries = 200)
    void theIndexDecidesExactlyLikeTheScan(@ForAll("policies") String policy, @ForAll("nodeCounts") int nodes,
                                           @ForAll("replayLimits") int replayLimit, @ForAll long seed) {
        run(seed, policy, nodes, replayLimit, 400);
    }

    @Test
    void everyCacheablePolicyOnLongerRunsWithManyTiesAndOutages() {
        for (String policy : CACHEABLE) {
            for (int s = 0; s < 6; s++) {
                Twin tw = run(1000L * s + policy.hashCode(), policy, s % 2 == 0 ? 300 : 33, Scheduler.AUTO, 3000);
                assertThat(tw.placements).as(policy).isPositive();
            }
        }
    }

    @Test
    void theRunsExerciseBothSuccessAndFailure() {
        int placed = 0;
        int failed = 0;
        for (int s = 0; s < 20; s++) {
            Twin tw = run(s, "FGD", 16, Scheduler.AUTO, 400);
            placed += tw.placements;
            failed += tw.failures;
        }
        assertThat(placed).isGreaterThan(100);
        assertThat(failed).isGreaterThan(10);
    }

    @Test
    void aShapeFarBehindTheChangeLogIsRebuiltAndStillAgrees() {
        // replay limit 3 (ring of 4): the rare shape misses many more changes than the ring holds
        List<NodeSpec> fleet = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            fleet.add(node("n" + i, i % 3 == 0 ? "T4" : "G2", i % 3 == 0 ? 2 : 8, 96));
        }
        TaskSpec rare = task(2000, 2, 1000);
        Twin tw = new Twin(fleet, "FGD", List.of(rare, task(1000, 1, 300)), 3);
        tw.schedule(rare, 0);
        for (int k = 0; k < 60; k++) {
            tw.schedule(task(1000, 1, 300), 1);
        }
        tw.schedule(rare, 0);
        for (int k = 0; k < 30; k++) {
            tw.unbind(0);
        }
        tw.schedule(rare, 0);
        tw.schedule(task(1000, 1, 300), 0);
    }

    // ---- indexed path specifics ----

    @Test
    void theIndexAppliesToEveryCacheablePolicyAndOnlyToPureFilters() {
        ClusterState s = new ClusterState(List.of(node("a", "G2", 8, 96)));
        Fragmentation frag = new Fragmentation(TargetWorkload.of(List.of(task(0, 1, 500))));
        for (String p : Policies.names()) {
            PolicyContext ctx = new PolicyContext(s, new SplittableRandom(1), frag);
            assertThat(new Scheduler(s, Policies.profile(p, ctx)).indexed()).as(p).isEqualTo(!p.equals("Random"));
            assertThat(Scheduler.linearScan(s, Policies.profile(p, ctx)).indexed()).isFalse();
        }
        FilterPlugin custom = new FilterPlugin() {
            @Override
            public Reason filter(ClusterState st, int node, TaskSpec t) {
                return Reason.FITS;
            }

            @Override
            public String name() {
                return "Custom";
            }
        };
        Profile.Builder b = SchedulerTest.standard("p").score(SchedulerTest.FLAT, 1);
        assertThat(new Scheduler(s, b.build()).indexed()).isTrue();
        assertThat(new Scheduler(s, b.filter(custom).build()).indexed()).isFalse();
    }

    @Test
    void explainLastAfterAFailedIndexedDecisionCountsTheReasons() {
        ClusterState s = new ClusterState(List.of(node("g2a", "G2", 8, 96), node("g2b", "G2", 8, 96), node("t4", "T4", 2, 104)));
        s.bind(2, task(0, 2, 1000), 0b11);
        Scheduler sch = new Scheduler(s, SchedulerTest.standard("p").score(SchedulerTest.FLAT, 1).build());
        assertThat(sch.indexed()).isTrue();
        TaskSpec t = task(1000, 1, 500, "T4");
        assertThat(sch.place(t, sch.shapeOf(t))).isEqualTo(-1);
        assertThat(sch.lastFeasible()).isZero();
        assertThat(sch.explainLast().message()).isEqualTo("0/3 nodes fit: 2 GPU model not allowed, 1 insufficient GPU");
        assertThat(sch.explainLast().message()).as("a second call gives the same").isEqualTo(
                "0/3 nodes fit: 2 GPU model not allowed, 1 insufficient GPU");
        // the same through schedule(), and after a node goes down
        s.setUp(0, false);
        Decision d = sch.schedule(task(1000, 1, 500, "T4"));
        assertThat(((Decision.Unschedulable) d).message())
                .isEqualTo("0/3 nodes fit: 1 node unavailable, 1 GPU model not allowed, 1 insufficient GPU");
    }

    @Test
    void preScoreSeesTheFeasibleCountBeforeAnyScoreOfTheDecision() {
        List<String> eventsA = new ArrayList<>();
        List<String> eventsB = new ArrayList<>();
        ClusterState a = new ClusterState(List.of(node("a", "G2", 8, 96), node("b", "G2", 2, 96), node("c", "T4", 2, 96)));
        ClusterState b = new ClusterState(List.of(node("a", "G2", 8, 96), node("b", "G2", 2, 96), node("c", "T4", 2, 96)));
        Scheduler ix = new Scheduler(a, SchedulerTest.standard("p").score(recording(eventsA), 1).build());
        Scheduler sc = Scheduler.linearScan(b, SchedulerTest.standard("p").score(recording(eventsB), 1).build());
        TaskSpec[] ts = {task(1000, 2, 1000), task(1000, 2, 1000), task(1000, 1, 500), task(1000, 4, 1000), task(1000, 8, 1000)};
        for (TaskSpec t : ts) {
            eventsA.add("decision");
            eventsB.add("decision");
            assertThat(ix.schedule(t)).isEqualTo(sc.schedule(t));
        }
        // pre-score calls and counts agree; in each decision, pre-score precedes every score call
        assertThat(eventsA.stream().filter(e -> !e.equals("score")).collect(Collectors.toList()))
                .isEqualTo(eventsB.stream().filter(e -> !e.equals("score")).collect(Collectors.toList()));
        for (List<String> ev : List.of(eventsA, eventsB)) {
            boolean pre = false;
            for (String e : ev) {
                if (e.equals("decision")) {
                    pre = false;
                } else if (e.startsWith("pre")) {
                    pre = true;
                } else {
                    assertThat(pre).as("score before preScore in %s", ev).isTrue();
                }
            }
        }
    }

    private static ScorePlugin recording(List<String> events) {
        return new ScorePlugin() {
            @Override
            public void preScore(ClusterState state, TaskSpec task, int feasibleNodes) {
                events.add("pre " + feasibleNodes);
            }

            @Override
            public int score(ClusterState s, int node, TaskSpec t) {
                events.add("score");
                return s.gpuFreeTotal(node) / 100;
            }

            @Override
            public String name() {
                return "Recording";
            }
        };
    }

    @Test
    void aPluginThatThrowsMidUpdateLeavesNoStaleKeys() {
        boolean[] fail = {false};
        ScorePlugin flaky = new ScorePlugin() {
            @Override
            public int score(ClusterState s, int node, TaskSpec t) {
                if (fail[0] && node == 2) {
                    throw new IllegalStateException("boom");
                }
                return s.gpuFreeTotal(node) / 100;
            }

            @Override
            public String name() {
                return "Flaky";
            }
        };
        ClusterState s = new ClusterState(List.of(node("a", "G2", 8, 96), node("b", "G2", 8, 96), node("c", "G2", 8, 96)));
        s.bind(0, task(0, 2, 1000), 0b11);
        s.bind(1, task(0, 1, 1000), 0b1);
        Scheduler sch = new Scheduler(s, SchedulerTest.standard("p").score(flaky, 1).build());
        TaskSpec t = task(1000, 1, 1000);
        int shape = sch.shapeOf(t);
        assertThat(sch.place(t, shape)).isEqualTo(2); // a 60, b 70, c 80
        s.bind(2, task(0, 4, 1000), 0b11110);         // c: 3 GPUs free
        fail[0] = true;
        assertThatThrownBy(() -> sch.place(task(1000, 1, 1000), shape)).hasMessage("boom");
        fail[0] = false;
        // c was re-filtered but not re-scored before the throw; its old key (80) must not survive
        assertThat(sch.place(task(1000, 1, 1000), shape)).isEqualTo(1);
        assertThat(sch.lastFeasible()).isEqualTo(3);
    }
}
