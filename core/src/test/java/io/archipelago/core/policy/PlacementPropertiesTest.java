package io.archipelago.core.policy;

import io.archipelago.core.cluster.ClusterState;
import io.archipelago.core.frag.Fragmentation;
import io.archipelago.core.frag.TargetWorkload;
import io.archipelago.core.framework.FilterPlugin;
import io.archipelago.core.framework.Filters;
import io.archipelago.core.framework.Reason;
import io.archipelago.core.framework.Scheduler;
import io.archipelago.core.model.GpuModels;
import io.archipelago.core.model.NodeSpec;
import io.archipelago.core.model.Qos;
import io.archipelago.core.model.TaskSpec;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Properties every policy must have on random fleets and task streams: nothing is ever
 * over-committed; a task is refused only when no node passes the filters; a placed task's node
 * passes every filter; the same seed gives the same placements.
 */
class PlacementPropertiesTest {
    private static final String[] MODELS = {"G2", "T4", "P100", "V100M32"};

    @Provide
    Arbitrary<List<NodeSpec>> fleets() {
        Arbitrary<NodeSpec> node = Combinators.combine(
                Arbitraries.integers().between(0, MODELS.length - 1),
                Arbitraries.of(1, 2, 4, 8),
                Arbitraries.integers().between(4, 128),
                Arbitraries.integers().between(1, 64)).as((m, g, cpu, mem) ->
                new NodeSpec("n", cpu * 1000, mem * 1024L, g, GpuModels.idOf(MODELS[m])));
        return node.list().ofMinSize(1).ofMaxSize(12).map(l -> {
            List<NodeSpec> out = new ArrayList<>();
            for (int i = 0; i < l.size(); i++) {
                NodeSpec s = l.get(i);
                out.add(new NodeSpec("n" + i, s.cpuMilli(), s.memoryMib(), s.gpuCount(), s.gpuModel()));
            }
            return out;
        });
    }

    @Provide
    Arbitrary<List<TaskSpec>> tasks() {
        Arbitrary<TaskSpec> t = Combinators.combine(
                Arbitraries.integers().between(0, 4),
                Arbitraries.integers().between(1, 999),
                Arbitraries.integers().between(0, 32_000),
                Arbitraries.integers().between(0, MODELS.length)).as((kind, milli, cpu, model) -> {
            int k = kind == 0 ? 0 : kind == 1 ? 1 : kind == 2 ? 1 : kind == 3 ? 2 : 4;
            int g = kind == 0 ? 0 : kind == 1 ? milli : 1000;
            String spec = model == MODELS.length || k == 0 ? "" : MODELS[model];
            long mask = spec.isEmpty() ? 0 : 1L << GpuModels.idOf(spec);
            return TaskSpec.openb("t", cpu, 1024, k, g, spec, mask, Qos.UNSPECIFIED, -1, -1, -1);
        });
        return t.list().ofMinSize(1).ofMaxSize(120).map(l -> {
            List<TaskSpec> out = new ArrayList<>();
            for (int i = 0; i < l.size(); i++) {
                out.add(l.get(i).renamed("t" + i));
            }
            return out;
        });
    }

    @Property(tries = 150)
    void everyPolicyPlacesOnlyWhereTheTaskFitsAndNeverOverCommits(@ForAll("fleets") List<NodeSpec> fleet,
                                                                  @ForAll("tasks") List<TaskSpec> tasks,
                                                                  @ForAll("policies") String policy,
                                                                  @ForAll long seed) {
        int[] first = run(fleet, tasks, policy, seed, true);
        int[] second = run(fleet, tasks, policy, seed, false);
        assertThat(second).as("same seed, same placements").isEqualTo(first);
    }

    @Provide
    Arbitrary<String> policies() {
        return Arbitraries.of(Policies.names());
    }

    private static int[] run(List<NodeSpec> fleet, List<TaskSpec> tasks, String policy, long seed, boolean check) {
        ClusterState s = new ClusterState(fleet);
        PolicyContext ctx = new PolicyContext(s, new SplittableRandom(seed), new Fragmentation(TargetWorkload.of(tasks)));
        Scheduler sch = new Scheduler(s, Policies.profile(policy, ctx));
        int[] out = new int[tasks.size()];
        for (int i = 0; i < tasks.size(); i++) {
            TaskSpec t = tasks.get(i);
            boolean anyFits = false;
            if (check) {
                for (int n = 0; n < s.nodeCount(); n++) {
                    anyFits |= passes(s, n, t);
                }
            }
            long usedBefore = s.usedGpuMilli();
            int node = sch.place(t, sch.shapeOf(t));
            out[i] = node;
            if (check) {
                s.checkInvariants();
                if (node < 0) {
                    assertThat(anyFits).as("%s refused %s although a node fits", policy, t).isFalse();
                    assertThat(s.usedGpuMilli()).isEqualTo(usedBefore);
                } else {
                    assertThat(anyFits).isTrue();
                    assertThat(s.usedGpuMilli()).isEqualTo(usedBefore + t.gpuDemandMilli());
                    if (t.allowedModels() != 0) {
                        assertThat(t.allowedModels() & (1L << s.model(node))).isNotZero();
                    }
                }
            }
        }
        return out;
    }

    private static boolean passes(ClusterState s, int n, TaskSpec t) {
        for (FilterPlugin f : Filters.standard()) {
            if (f.filter(s, n, t) != Reason.FITS) {
                return false;
            }
        }
        return true;
    }
}
