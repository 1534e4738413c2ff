package io.archipelago.sim.engine;

import io.archipelago.core.model.GpuModels;
import io.archipelago.core.model.NodeSpec;
import io.archipelago.core.model.TaskSpec;
import io.archipelago.core.policy.Policies;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Random small worlds (fleets, workloads with gangs, shared GPUs and CPU-only tasks, tenants with
 * quotas, outages, options) run with the invariant checker on after every event. A run must not
 * throw, its task counts must add up, no tenant may ever exceed its maximum, and a second run with
 * the same seed must give the same results.
 */
class SimulationPropertiesTest {
    private static final int A100 = GpuModels.idOf("A100");

    record NodeGen(int gpus, int cores, int memGib, int site) {
    }

    /** kind 0 = CPU-only, 1 = a shared slice of one GPU, 2 = whole GPUs. */
    record ShapeGen(int kind, int gpus, int milli, int cpuMilli, int memMib) {
        TaskSpec task(String name) {
            return switch (kind) {
                case 0 -> TaskSpec.of(name, cpuMilli, memMib, 0, 0);
                case 1 -> TaskSpec.of(name, cpuMilli, memMib, 1, milli);
                default -> TaskSpec.of(name, cpuMilli, memMib, gpus, 1000);
            };
        }
    }

    record JobGen(long at, long runs, ShapeGen shape, int cls, int tenant, int workers) {
    }

    /** {@code extraMilli} -1 = no maximum, else max = guaranteed + extra. */
    record TenantGen(int guaranteedMilli, int extraMilli, int weight) {
    }

    record OutageGen(long at, long durationMs, List<Integer> nodes) {
    }

    record OptGen(long seed, long horizonMs, long sampleEveryMs, boolean backfill, long headWaitMs, int window, long maxWaitMs,
                  boolean preemption) {
    }

    record World(List<NodeGen> nodes, int sites, List<TenantGen> tenants, List<JobGen> jobs, List<OutageGen> outages,
                 OptGen opt, String policy) {
        Fleet fleet() {
            int s = Math.min(sites, nodes.size());
            List<NodeSpec> specs = new ArrayList<>();
            int[] site = new int[nodes.size()];
            for (int i = 0; i < nodes.size(); i++) {
                NodeGen n = nodes.get(i);
                specs.add(new NodeSpec("n" + i, n.cores() * 1000, n.memGib() * 1024L, n.gpus(), n.gpus() > 0 ? A100 : -1));
                site[i] = n.site() % s;
            }
            List<String> names = new ArrayList<>();
            for (int k = 0; k < s; k++) {
                names.add("site-" + k);
            }
            return new Fleet(specs, site, names);
        }

        List<Simulation.Tenant> tenantList() {
            List<Simulation.Tenant> out = new ArrayList<>();
            for (int i = 0; i < tenants.size(); i++) {
                TenantGen t = tenants.get(i);
                out.add(new Simulation.Tenant("t" + i, t.guaranteedMilli(), t.extraMilli() < 0 ? -1 : t.guaranteedMilli() + t.extraMilli(),
                        t.weight()));
            }
            return out;
        }

        Workload workload() {
            Workload.Builder b = Workload.builder("random");
            for (int j = 0; j < jobs.size(); j++) {
                JobGen g = jobs.get(j);
                int p = b.prototype(g.shape().task("task-" + j));
                b.add(g.at(), g.runs(), p, PriorityClass.of(g.cls()), g.tenant() % tenants.size(), g.workers(), null);
            }
            return b.build();
        }

        List<Simulation.Outage> outageList() {
            List<Simulation.Outage> out = new ArrayList<>();
            for (int i = 0; i < outages.size(); i++) {
                OutageGen o = outages.get(i);
                Set<Integer> idx = new LinkedHashSet<>();
                for (int n : o.nodes()) {
                    idx.add(n % nodes.size());
                }
                out.add(new Simulation.Outage("o" + i, o.at(), o.durationMs(), idx.stream().mapToInt(Integer::intValue).toArray()));
            }
            return out;
        }

        Simulation.Options options() {
            return new Simulation.Options(opt.seed(), opt.horizonMs(), opt.sampleEveryMs(), opt.backfill(), opt.headWaitMs(),
                    opt.window(), opt.maxWaitMs(), opt.preemption(), true);
        }

        SimResult run() {
            String p = policy;
            return new Simulation("random", p, fleet(), workload(), tenantList(), outageList(), options(),
                    ctx -> Policies.profile(p, ctx)).run();
        }
    }

    // ------------------------------------------------------------ generators

    private static Arbitrary<NodeGen> nodes() {
        return Combinators.combine(Arbitraries.integers().between(0, 8), Arbitraries.integers().between(4, 64),
                Arbitraries.integers().between(16, 256), Arbitraries.integers().between(0, 2)).as(NodeGen::new);
    }

    private static Arbitrary<ShapeGen> shapes() {
        Arbitrary<Integer> wholeGpus = Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.just(1)), Tuple.of(2, Arbitraries.just(2)),
                Tuple.of(1, Arbitraries.just(4)), Tuple.of(1, Arbitraries.just(8)));
        return Combinators.combine(Arbitraries.integers().between(0, 2), wholeGpus,
                Arbitraries.integers().between(100, 900), Arbitraries.integers().between(0, 16_000),
                Arbitraries.integers().between(0, 64 * 1024)).as(ShapeGen::new);
    }

    private static Arbitrary<JobGen> jobs() {
        Arbitrary<Long> runs = Arbitraries.frequencyOf(
                Tuple.of(1, Arbitraries.just(-1L)),
                Tuple.of(9, Arbitraries.longs().between(0, 200_000)));
        Arbitrary<Integer> workers = Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.just(1)),
                Tuple.of(1, Arbitraries.integers().between(2, 6)));
        return Combinators.combine(Arbitraries.longs().between(0, 50_000), runs, shapes(), Arbitraries.integers().between(0, 2),
                Arbitraries.integers().between(0, 2), workers).as(JobGen::new);
    }

    private static Arbitrary<TenantGen> tenants() {
        Arbitrary<Integer> extra = Arbitraries.frequencyOf(
                Tuple.of(1, Arbitraries.just(-1)),
                Tuple.of(2, Arbitraries.integers().between(0, 16_000)));
        return Combinators.combine(Arbitraries.integers().between(0, 8_000), extra, Arbitraries.integers().between(1, 4))
                .as(TenantGen::new);
    }

    private static Arbitrary<OutageGen> outages() {
        Arbitrary<Long> duration = Arbitraries.frequencyOf(
                Tuple.of(1, Arbitraries.just(-1L)),
                Tuple.of(4, Arbitraries.longs().between(0, 100_000)));
        return Combinators.combine(Arbitraries.longs().between(0, 200_000), duration,
                Arbitraries.integers().between(0, 11).list().ofMinSize(1).ofMaxSize(4)).as(OutageGen::new);
    }

    private static Arbitrary<OptGen> options() {
        Arbitrary<Long> horizon = Arbitraries.frequencyOf(
                Tuple.of(1, Arbitraries.just(-1L)),
                Tuple.of(1, Arbitraries.longs().between(0, 300_000)));
        Arbitrary<Long> maxWait = Arbitraries.frequencyOf(
                Tuple.of(1, Arbitraries.just(-1L)),
                Tuple.of(1, Arbitraries.longs().between(0, 100_000)));
        return Combinators.combine(Arbitraries.longs(), horizon, Arbitraries.longs().between(1_000, 50_000), Arbitraries.of(true, false),
                Arbitraries.longs().between(0, 100_000), Arbitraries.integers().between(0, 20), maxWait, Arbitraries.of(true, false))
                .as(OptGen::new);
    }

    @Provide
    Arbitrary<World> worlds() {
        return Combinators.combine(nodes().list().ofMinSize(1).ofMaxSize(12), Arbitraries.integers().between(1, 3),
                tenants().list().ofMinSize(1).ofMaxSize(3), jobs().list().ofMinSize(1).ofMaxSize(60), outages().list().ofMaxSize(3), options(),
                Arbitraries.of(Policies.STUDY)).as(World::new);
    }

    // ------------------------------------------------------------ properties

    @Property(tries = 2000)
    void everyRunKeepsItsInvariantsAndIsReproducible(@ForAll("worlds") World world) {
        SimResult r = world.run(); // the invariant checker runs after every event

        assertThat(r.tasksArrived()).isEqualTo(r.tasksCompleted() + r.tasksRunning() + r.tasksQueued() + r.tasksRejected());
        assertThat(r.tasksTimedOut()).isLessThanOrEqualTo(r.tasksRejected());
        if (world.opt().maxWaitMs() < 0) {
            assertThat(r.tasksTimedOut()).isZero();
        }
        if (!world.opt().preemption()) {
            assertThat(r.preemptions()).isZero();
        }
        if (world.outages().isEmpty()) {
            assertThat(r.outageEvictions()).isZero();
        }
        for (Simulation.Tenant t : world.tenantList()) {
            if (t.maxMilli() >= 0) {
                assertThat(SimScenario.peak(r, "gpus_" + t.name())).as("peak of tenant %s", t.name())
                        .isLessThanOrEqualTo(t.maxMilli() / 1000.0);
            }
        }

        SimResult again = world.run();
        assertThat(Arrays.deepEquals(r.series(), again.series())).as("same series with the same seed").isTrue();
        assertThat(Arrays.deepEquals(r.waitsMs(), again.waitsMs())).isTrue();
        assertThat(withoutWallClock(r.summary())).isEqualTo(withoutWallClock(again.summary()));
    }

    private static Map<String, Object> withoutWallClock(Map<String, Object> summary) {
        Map<String, Object> m = new LinkedHashMap<>(summary);
        m.remove("wall_seconds");
        m.remove("events_per_second");
        return m;
    }
}
