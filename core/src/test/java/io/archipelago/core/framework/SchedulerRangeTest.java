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
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static io.archipelago.core.Fixtures.node;
import static io.archipelago.core.Fixtures.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link Scheduler#bestIn}: the best node of a node range, by the last {@link Scheduler#prepare}.
 * Specification: the node of {@code [from, to)} that passes every filter and has the highest weighted
 * total score, ties to the lowest index, -1 when none there passes. The indexed path (tournament tree
 * over blocks of {@value ShapeIndex#BLOCK} nodes) and the scan path must both answer exactly that,
 * for any range, after any sequence of binds, unbinds and outages.
 */
class SchedulerRangeTest {
    private static final String[] MODELS = {"G2", "T4", "P100", "V100M32"};
    private static final int BLOCK = ShapeIndex.BLOCK;

    /** The reference answer: filters and scores every node of the range from scratch. */
    private static final class BruteForce {
        private final ClusterState state;
        private final Profile profile;

        BruteForce(ClusterState state, Profile profile) {
            this.state = state;
            this.profile = profile;
        }

        /** Per node the weighted total if the node passes the standard filters, else null. */
        Integer[] totals(TaskSpec t) {
            Integer[] out = new Integer[state.nodeCount()];
            for (int i = 0; i < out.length; i++) {
                if (Filters.resourceFit().filter(state, i, t) != Reason.FITS) {
                    continue;
                }
                int total = 0;
                for (Profile.WeightedScore ws : profile.scores()) {
                    total += ws.weight() * ws.plugin().score(state, i, t);
                }
                out[i] = total;
            }
            return out;
        }

        static int best(Integer[] totals, int from, int to) {
            int best = -1;
            for (int i = from; i < to; i++) {
                if (totals[i] != null && (best < 0 || totals[i] > totals[best])) {
                    best = i;
                }
            }
            return best;
        }

        static int feasible(Integer[] totals) {
            int c = 0;
            for (Integer x : totals) {
                if (x != null) {
                    c++;
                }
            }
            return c;
        }
    }

    /** Two identical clusters, one under the indexed scheduler and one under the scan, changed in lockstep. */
    private static final class Twin {
        final ClusterState a;
        final ClusterState b;
        final Scheduler indexed;
        final Scheduler scan;
        final BruteForce brute;
        final List<int[]> bound = new ArrayList<>(); // {node, mask} of tasks in boundTasks
        final List<TaskSpec> boundTasks = new ArrayList<>();
        int queries;
        int hits;
        int misses;

        Twin(List<NodeSpec> fleet, Profile.Builder profileA, Profile.Builder profileB, int replayLimit) {
            a = new ClusterState(fleet);
            b = new ClusterState(fleet);
            Profile pa = profileA.build();
            indexed = new Scheduler(a, pa, true, replayLimit);
            scan = new Scheduler(b, profileB.build(), false, Scheduler.AUTO);
            brute = new BruteForce(a, pa);
            assertThat(indexed.indexed()).isTrue();
            assertThat(scan.indexed()).isFalse();
        }

        Twin(List<NodeSpec> fleet, String policy, List<TaskSpec> target, int replayLimit) {
            a = new ClusterState(fleet);
            b = new ClusterState(fleet);
            Profile pa = Policies.profile(policy, ctx(a, target));
            indexed = new Scheduler(a, pa, true, replayLimit);
            scan = new Scheduler(b, Policies.profile(policy, ctx(b, target)), false, Scheduler.AUTO);
            brute = new BruteForce(a, pa);
            assertThat(indexed.indexed()).as(policy).isTrue();
            assertThat(scan.indexed()).isFalse();
        }

        private static PolicyContext ctx(ClusterState s, List<TaskSpec> target) {
            return new PolicyContext(s, new SplittableRandom(1), new Fragmentation(TargetWorkload.of(target)));
        }

        int n() {
            return a.nodeCount();
        }

        void place(TaskSpec t) {
            int na = indexed.place(t, indexed.shapeOf(t));
            int nb = scan.place(t, scan.shapeOf(t));
            assertThat(na).as("place %s", t).isEqualTo(nb);
            if (na >= 0) {
                assertThat(indexed.lastGpuMask()).isEqualTo(scan.lastGpuMask());
                bound.add(new int[] {na, indexed.lastGpuMask()});
                boundTasks.add(t);
            }
        }

        void unbind(int k) {
            int[] x = bound.remove(k);
            TaskSpec t = boundTasks.remove(k);
            a.unbind(x[0], t, x[1]);
            b.unbind(x[0], t, x[1]);
        }

        void toggle(int node) {
            if (a.isUp(node)) {
                for (int k = bound.size() - 1; k >= 0; k--) {
                    if (bound.get(k)[0] == node) {
                        unbind(k);
                    }
                }
            }
            boolean up = !a.isUp(node);
            a.setUp(node, up);
            b.setUp(node, up);
        }

        /**
         * Prepares {@code t} on both schedulers, then checks {@code ranges} (pairs from, to) and the
         * whole cluster against the brute force, and finally the whole cluster against selectNode.
         */
        void check(TaskSpec t, List<int[]> ranges) {
            int si = indexed.shapeOf(t);
            int ss = scan.shapeOf(t);
            Integer[] totals = brute.totals(t);
            int feasible = BruteForce.feasible(totals);
            assertThat(indexed.prepare(t, si)).as("feasible count, indexed").isEqualTo(feasible);
            assertThat(scan.prepare(t, ss)).as("feasible count, scan").isEqualTo(feasible);
            List<int[]> all = new ArrayList<>(ranges);
            all.add(new int[] {0, n()});
            for (int[] r : all) {
                int expected = BruteForce.best(totals, r[0], r[1]);
                int gotIndexed = indexed.bestIn(si, r[0], r[1]);
                int gotScan = scan.bestIn(ss, r[0], r[1]);
                assertThat(gotIndexed).as("indexed bestIn [%d, %d) of %d nodes for %s", r[0], r[1], n(), t).isEqualTo(expected);
                assertThat(gotScan).as("scan bestIn [%d, %d) of %d nodes for %s", r[0], r[1], n(), t).isEqualTo(expected);
                queries++;
                if (expected >= 0) {
                    hits++;
                    assertThat(indexed.totalOf(si, expected)).as("indexed total of node %d", expected).isEqualTo(totals[expected]);
                    assertThat(scan.totalOf(ss, expected)).as("scan total of node %d", expected).isEqualTo(totals[expected]);
                } else {
                    misses++;
                }
            }
            // the whole cluster is what a decision picks (selectNode binds nothing)
            int whole = BruteForce.best(totals, 0, n());
            assertThat(indexed.selectNode(t, si)).isEqualTo(whole);
            assertThat(scan.selectNode(t, ss)).isEqualTo(whole);
            assertThat(indexed.lastFeasible()).isEqualTo(feasible);
            assertThat(scan.lastFeasible()).isEqualTo(feasible);
        }
    }

    // ---- random inputs ----

    private static List<NodeSpec> fleet(SplittableRandom r, int n) {
        // a few node kinds, so that equal totals (ties) are common
        int kinds = 1 + r.nextInt(5);
        NodeSpec[] kind = new NodeSpec[kinds];
        for (int k = 0; k < kinds; k++) {
            int gpus = new int[] {0, 1, 2, 4, 8}[r.nextInt(5)];
            kind[k] = new NodeSpec("k", (8 + r.nextInt(121)) * 1000, (16 + r.nextInt(500)) * 1024L, gpus,
                    gpus == 0 ? -1 : GpuModels.idOf(MODELS[r.nextInt(MODELS.length)]), r.nextInt(3) == 0 ? 100 : 0);
        }
        List<NodeSpec> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(kind[r.nextInt(kinds)].renamed("n" + i));
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
        int maxPerNode = r.nextInt(6) == 0 ? 1 + r.nextInt(2) : 0;
        int group = maxPerNode > 0 ? r.nextInt(2) : -1;
        return new TaskSpec("t" + (seq++), 1000 * r.nextInt(24), 1024L * r.nextInt(48), k, g, spec, mask,
                Qos.UNSPECIFIED, -1, -1, -1, rdma, group, maxPerNode);
    }

    /** A random range of nodes: anywhere, empty, inside one block, or between block boundaries. */
    private static int[] randomRange(SplittableRandom r, int n) {
        switch (r.nextInt(6)) {
            case 0: { // empty, anywhere including both ends
                int x = r.nextInt(n + 1);
                return new int[] {x, x};
            }
            case 1: { // inside one block
                int b = r.nextInt((n + BLOCK - 1) / BLOCK);
                int lo = b * BLOCK;
                int hi = Math.min(n, lo + BLOCK);
                int from = lo + r.nextInt(hi - lo);
                int to = from + 1 + r.nextInt(hi - from);
                return new int[] {from, to};
            }
            case 2: { // whole blocks: both ends on block boundaries (or the end of the cluster)
                int blocks = (n + BLOCK - 1) / BLOCK;
                int b1 = r.nextInt(blocks + 1);
                int b2 = r.nextInt(blocks + 1);
                return new int[] {Math.min(n, Math.min(b1, b2) * BLOCK), Math.min(n, Math.max(b1, b2) * BLOCK)};
            }
            case 3: { // one end on a boundary, the other one node off a boundary
                int blocks = (n + BLOCK - 1) / BLOCK;
                int from = Math.min(n, r.nextInt(blocks + 1) * BLOCK);
                int to = Math.min(n, from + r.nextInt(3) * BLOCK + (r.nextBoolean() ? 1 : BLOCK - 1));
                return r.nextBoolean() ? new int[] {from, to} : new int[] {Math.max(0, from - 1), to};
            }
            default: {
                int x = r.nextInt(n + 1);
                int y = r.nextInt(n + 1);
                return new int[] {Math.min(x, y), Math.max(x, y)};
            }
        }
    }

    private static Twin run(long seed, String policy, int nodes, int replayLimit, int ops) {
        SplittableRandom r = new SplittableRandom(seed);
        List<TaskSpec> shapes = new ArrayList<>();
        for (int i = 0, m = 3 + r.nextInt(8); i < m; i++) {
            shapes.add(randomTask(r));
        }
        Twin tw = new Twin(fleet(r, nodes), policy, shapes, replayLimit);
        for (int op = 0; op < ops; op++) {
            int what = r.nextInt(100);
            TaskSpec t = r.nextInt(20) == 0 ? randomTask(r) : shapes.get(r.nextInt(shapes.size())).renamed("t" + (seq++));
            if (what < 45) {
                tw.place(t);
            } else if (what < 65) {
                if (!tw.bound.isEmpty()) {
                    tw.unbind(r.nextInt(tw.bound.size()));
                }
            } else if (what < 72) {
                tw.toggle(r.nextInt(nodes));
            } else {
                List<int[]> ranges = new ArrayList<>();
                for (int k = 0, m = 1 + r.nextInt(10); k < m; k++) {
                    ranges.add(randomRange(r, nodes));
                }
                tw.check(t, ranges);
            }
        }
        tw.a.checkInvariants();
        return tw;
    }

    // ---- properties ----

    @Provide
    Arbitrary<String> policies() {
        return Arbitraries.of(Policies.names().stream().filter(p -> !p.equals("Random")).toList());
    }

    @Provide
    Arbitrary<Integer> replayLimits() {
        return Arbitraries.of(Scheduler.AUTO, 0, 3, 40);
    }

    @Property(tries = 300)
    void bestInIsTheBruteForceBestOfTheRangeOnBothPaths(@ForAll("policies") String policy,
                                                        @ForAll @IntRange(min = 1, max = 300) int nodes,
                                                        @ForAll("replayLimits") int replayLimit, @ForAll long seed) {
        run(seed, policy, nodes, replayLimit, 150);
    }

    @Test
    void theRandomRunsSeeBothFoundAndNotFoundRanges() {
        int hits = 0;
        int misses = 0;
        for (int s = 0; s < 20; s++) {
            Twin tw = run(s, s % 2 == 0 ? "FGD" : "BestFit", 17 + 13 * s, Scheduler.AUTO, 120);
            hits += tw.hits;
            misses += tw.misses;
        }
        assertThat(hits).isGreaterThan(200);
        assertThat(misses).isGreaterThan(50);
    }

    // ---- edge cases, by hand ----

    /** Node i scores {@code scores[i]} (fixed, whatever the state), through the indexed and the scan path. */
    private static Twin fixedScores(int[] scores, List<NodeSpec> nodes) {
        ScorePlugin fixed = new ScorePlugin() {
            @Override
            public int score(ClusterState s, int node, TaskSpec t) {
                return scores[node];
            }

            @Override
            public String name() {
                return "Fixed";
            }
        };
        return new Twin(nodes, SchedulerTest.standard("p").score(fixed, 3), SchedulerTest.standard("p").score(fixed, 3),
                Scheduler.AUTO);
    }

    private static List<NodeSpec> g2Nodes(int n) {
        List<NodeSpec> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(node("n" + i, "G2", 8, 96));
        }
        return out;
    }

    /** 40 nodes (blocks [0,16), [16,32), [32,40)); node i scores i % 10, so 9s sit at 9, 19, 29, 39. */
    private static Twin fortyNodes() {
        int[] scores = new int[40];
        for (int i = 0; i < 40; i++) {
            scores[i] = i % 10;
        }
        return fixedScores(scores, g2Nodes(40));
    }

    private static int[] both(Twin tw, TaskSpec t, int from, int to) {
        tw.indexed.prepare(t, tw.indexed.shapeOf(t));
        tw.scan.prepare(t, tw.scan.shapeOf(t));
        return new int[] {tw.indexed.bestIn(tw.indexed.shapeOf(t), from, to), tw.scan.bestIn(tw.scan.shapeOf(t), from, to)};
    }

    @Test
    void anEmptyRangeHasNoBestNodeWhereverItIs() {
        Twin tw = fortyNodes();
        TaskSpec t = task(1000, 1, 1000);
        for (int x : new int[] {0, 1, 15, 16, 17, 39, 40}) {
            assertThat(both(tw, t, x, x)).as("[%d, %d)", x, x).containsExactly(-1, -1);
        }
    }

    @Test
    void aRangeInsideOneBlockIsScannedWithTiesToTheLowestIndex() {
        Twin tw = fortyNodes();
        TaskSpec t = task(1000, 1, 1000);
        assertThat(both(tw, t, 3, 8)).containsExactly(7, 7);
        assertThat(both(tw, t, 17, 30)).containsExactly(19, 19);
        assertThat(both(tw, t, 5, 6)).as("a single node").containsExactly(5, 5);
        assertThat(both(tw, t, 33, 40)).as("the last, partial block").containsExactly(39, 39);
        // the 9s at 9 and 19 tie: the lower index wins, across the block boundary at 16
        assertThat(both(tw, t, 0, 40)).containsExactly(9, 9);
        assertThat(both(tw, t, 10, 40)).containsExactly(19, 19);
    }

    @Test
    void rangesOnBlockBoundariesUseWholeBlocks() {
        Twin tw = fortyNodes();
        TaskSpec t = task(1000, 1, 1000);
        assertThat(both(tw, t, 0, 16)).containsExactly(9, 9);
        assertThat(both(tw, t, 16, 32)).containsExactly(19, 19);
        assertThat(both(tw, t, 32, 40)).containsExactly(39, 39);
        assertThat(both(tw, t, 16, 40)).containsExactly(19, 19);
        // one node short of a boundary at either end
        assertThat(both(tw, t, 15, 32)).containsExactly(19, 19);
        assertThat(both(tw, t, 20, 33)).containsExactly(29, 29);
        assertThat(both(tw, t, 20, 29)).containsExactly(28, 28);
    }

    @Test
    void infeasibleNodesAreNeverTheAnswerEvenWithTheHighestScore() {
        Twin tw = fortyNodes();
        // fill nodes 9, 19 and 29 (the 9s) completely
        for (int node : new int[] {9, 19, 29}) {
            TaskSpec full = task(0, 8, 1000);
            tw.a.bind(node, full, 0xFF);
            tw.b.bind(node, full, 0xFF);
        }
        TaskSpec t = task(1000, 1, 1000);
        assertThat(both(tw, t, 0, 40)).containsExactly(39, 39);
        assertThat(both(tw, t, 0, 32)).as("the 8s next").containsExactly(8, 8);
        assertThat(both(tw, t, 9, 10)).as("only a full node").containsExactly(-1, -1);
        assertThat(both(tw, t, 16, 32)).containsExactly(18, 18);
        assertThat(tw.indexed.totalOf(tw.indexed.shapeOf(t), 18)).isEqualTo(3 * 8);
        assertThat(tw.scan.totalOf(tw.scan.shapeOf(t), 18)).isEqualTo(3 * 8);
    }

    @Test
    void noFeasibleNodeAnywhereGivesMinusOneForEveryRange() {
        Twin tw = fortyNodes();
        TaskSpec t = task(1000, 1, 500, "T4"); // every node is a G2
        tw.indexed.prepare(t, tw.indexed.shapeOf(t));
        assertThat(tw.scan.prepare(t, tw.scan.shapeOf(t))).isZero();
        for (int[] r : new int[][] {{0, 40}, {0, 16}, {3, 9}, {16, 40}, {39, 40}}) {
            assertThat(both(tw, t, r[0], r[1])).as("[%d, %d)", r[0], r[1]).containsExactly(-1, -1);
        }
    }

    @Test
    void theWholeClusterIsWhatADecisionPicks() {
        Twin tw = run(7, "FGD", 300, Scheduler.AUTO, 0);
        SplittableRandom r = new SplittableRandom(7);
        for (int k = 0; k < 200; k++) {
            tw.place(randomTask(r));
            if (k % 10 == 0) {
                tw.check(randomTask(r), List.of());
            }
        }
        assertThat(tw.queries).isEqualTo(20);
    }

    @Test
    void aClusterOfOneNodeAndOneOfExactlyOneBlock() {
        Twin one = fixedScores(new int[] {42}, g2Nodes(1));
        TaskSpec t = task(1000, 1, 1000);
        assertThat(both(one, t, 0, 1)).containsExactly(0, 0);
        assertThat(both(one, t, 0, 0)).containsExactly(-1, -1);
        assertThat(both(one, t, 1, 1)).containsExactly(-1, -1);
        int[] scores = new int[BLOCK];
        scores[BLOCK - 1] = 100;
        Twin block = fixedScores(scores, g2Nodes(BLOCK));
        assertThat(both(block, t, 0, BLOCK)).containsExactly(BLOCK - 1, BLOCK - 1);
        assertThat(both(block, t, 0, BLOCK - 1)).as("all tie at 0: the first").containsExactly(0, 0);
    }

    @Test
    void aRangeOutsideTheClusterIsRejectedOnBothPaths() {
        Twin tw = fortyNodes();
        TaskSpec t = task(1000, 1, 1000);
        int si = tw.indexed.shapeOf(t);
        int ss = tw.scan.shapeOf(t);
        tw.indexed.prepare(t, si);
        tw.scan.prepare(t, ss);
        for (int[] r : new int[][] {{-1, 3}, {0, 41}, {5, 4}}) {
            assertThatThrownBy(() -> tw.indexed.bestIn(si, r[0], r[1])).isInstanceOf(IndexOutOfBoundsException.class)
                    .hasMessageContaining("[" + r[0] + ", " + r[1] + ")");
            assertThatThrownBy(() -> tw.scan.bestIn(ss, r[0], r[1])).isInstanceOf(IndexOutOfBoundsException.class)
                    .hasMessageContaining("[" + r[0] + ", " + r[1] + ")");
        }
    }

    @Test
    void bestInBeforeAnyPrepareOfTheShapeFailsOnBothPaths() {
        Twin tw = fortyNodes();
        TaskSpec t = task(1000, 1, 1000);
        int si = tw.indexed.shapeOf(t);
        int ss = tw.scan.shapeOf(t);
        assertThatThrownBy(() -> tw.scan.bestIn(ss, 0, 5)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("prepare");
        assertThatThrownBy(() -> tw.indexed.bestIn(si, 0, 5)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("prepare");
    }

    @Test
    void afterAStateChangeAFreshPrepareSeesIt() {
        Twin tw = fortyNodes();
        TaskSpec t = task(1000, 8, 1000);
        assertThat(both(tw, t, 0, 40)).containsExactly(9, 9);
        TaskSpec one = task(0, 1, 1000);
        tw.a.bind(9, one, 1);
        tw.b.bind(9, one, 1);
        assertThat(both(tw, t, 0, 40)).as("node 9 no longer has 8 free GPUs").containsExactly(19, 19);
        tw.a.unbind(9, one, 1);
        tw.b.unbind(9, one, 1);
        tw.a.setUp(19, false);
        tw.b.setUp(19, false);
        assertThat(both(tw, t, 10, 40)).as("node 19 is down").containsExactly(29, 29);
        assertThat(both(tw, t, 0, 40)).containsExactly(9, 9);
    }

    @Test
    void maxTotalIsTheSumOfWeightsTimesTheHighestScore() {
        Twin tw = fortyNodes();
        assertThat(tw.indexed.maxTotal()).isEqualTo(3 * ScorePlugin.MAX_SCORE);
        ClusterState s = new ClusterState(g2Nodes(2));
        Profile p = SchedulerTest.standard("p").score(SchedulerTest.FLAT, 2).score(new ScorePlugin() {
            @Override
            public int score(ClusterState st, int node, TaskSpec task) {
                return 0;
            }

            @Override
            public String name() {
                return "Zero";
            }
        }, 5).build();
        assertThat(new Scheduler(s, p).maxTotal()).isEqualTo(700);
    }
}
