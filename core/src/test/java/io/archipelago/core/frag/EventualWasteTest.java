package io.archipelago.core.frag;

import io.archipelago.core.cluster.ClusterState;
import io.archipelago.core.model.GpuModels;
import io.archipelago.core.model.TaskSpec;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.archipelago.core.Fixtures.node;
import static io.archipelago.core.Fixtures.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The eventual-waste measure: the per-GPU look-ahead V and the CPU-stranded GPU S. */
class EventualWasteTest {
    private static final int G2 = GpuModels.idOf("G2");
    private static final int T4 = GpuModels.idOf("T4");

    /** A target workload with {@code copies[i]} tasks of {@code tasks[i]}. */
    private static TargetWorkload target(TaskSpec[] tasks, int[] copies) {
        List<TaskSpec> trace = new ArrayList<>();
        for (int i = 0; i < tasks.length; i++) {
            for (int c = 0; c < copies[i]; c++) {
                trace.add(tasks[i]);
            }
        }
        return TargetWorkload.of(trace, 1.0);
    }

    @Test
    void freeCapacityThatNoClassFitsIsWastedWhole() {
        EventualWaste w = new EventualWaste(target(new TaskSpec[] {task(8000, 1, 1000)}, new int[] {1}));
        assertThat(w.gpuWaste(G2, 999)).isEqualTo(999);
        assertThat(w.gpuWaste(G2, 1)).isEqualTo(1);
        assertThat(w.gpuWaste(G2, 1000)).isZero();
        assertThat(w.gpuWaste(G2, 0)).isZero();
    }

    @Test
    void aFreeGpuIsFollowedUntilNothingFits() {
        // 810 and 160 equally likely: 190 left by an 810 takes a 160 and keeps 30, which nothing fits
        EventualWaste w = new EventualWaste(target(new TaskSpec[] {task(4000, 1, 810), task(4000, 1, 160)}, new int[] {1, 1}));
        assertThat(w.gpuWaste(G2, 189)).isEqualTo(29, within(1e-12));
        assertThat(w.gpuWaste(G2, 190)).isEqualTo(30, within(1e-12));
        assertThat(w.gpuWaste(G2, 159)).isEqualTo(159);
        // 320: two 160s fit, nothing after: 0; 350: 160, 160, then 30
        assertThat(w.gpuWaste(G2, 320)).isZero();
        assertThat(w.gpuWaste(G2, 350)).isEqualTo(30, within(1e-12));
        // by hand: V(r) = (V(r-810) + V(r-160)) / 2 where both fit
        double v840 = (w.gpuWaste(G2, 30) + w.gpuWaste(G2, 680)) / 2;
        assertThat(w.gpuWaste(G2, 840)).isEqualTo(v840, within(1e-12));
    }

    @Test
    void withAnEndWeightARemainderThatOnlyARareClassFitsIsMostlyWasted() {
        // 810 in 99 of 100 tasks, 160 in 1: the end (weight 1 %) is as likely as the next 160
        EventualWaste rare = new EventualWaste(target(new TaskSpec[] {task(4000, 1, 810), task(4000, 1, 160)}, new int[] {99, 1}),
                Double.NaN, 0.01);
        // V(190) = (0.01 · 190 + 0.01 · V(30)) / (0.01 + 0.01), V(30) = 30
        assertThat(rare.gpuWaste(G2, 190)).isEqualTo((190 + 30) / 2.0, within(1e-9));
        assertThat(new EventualWaste(target(new TaskSpec[] {task(4000, 1, 810), task(4000, 1, 160)}, new int[] {99, 1}))
                .gpuWaste(G2, 190)).isEqualTo(30, within(1e-9));   // without an end, the 160 always comes
        // a common class still fills it: 160 in half of the tasks
        EventualWaste common = new EventualWaste(target(new TaskSpec[] {task(4000, 1, 810), task(4000, 1, 160)}, new int[] {1, 1}),
                Double.NaN, 0.01);
        assertThat(common.gpuWaste(G2, 190)).isEqualTo((0.01 * 190 + 0.5 * 30) / 0.51, within(1e-9));
        // what nothing fits stays wasted whole, and a full GPU wastes nothing
        assertThat(rare.gpuWaste(G2, 159)).isEqualTo(159);
        assertThat(rare.gpuWaste(G2, 0)).isZero();
    }

    @Test
    void theEndWeightMustBeAFiniteNonNegativeFraction() {
        TargetWorkload t = target(new TaskSpec[] {task(4000, 1, 810)}, new int[] {1});
        for (double bad : new double[] {-0.01, Double.NaN, Double.POSITIVE_INFINITY}) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> new EventualWaste(t, Double.NaN, bad))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("end weight");
        }
    }

    @Test
    void classesThatMayNotUseTheModelFillNothing() {
        EventualWaste w = new EventualWaste(target(new TaskSpec[] {task(4000, 1, 500, "T4")}, new int[] {1}));
        assertThat(w.gpuWaste(T4, 1000)).isZero();
        assertThat(w.gpuWaste(G2, 1000)).isEqualTo(1000);
    }

    @Test
    void multiGpuClassesOfferWholeGpusInProportionToTheirGpuCount() {
        // one 8-GPU task for every 4 sharing tasks of 500: whole GPUs weigh 8, halves 4
        EventualWaste w = new EventualWaste(target(new TaskSpec[] {task(64000, 8, 1000), task(4000, 1, 700)}, new int[] {1, 4}));
        // from 1000: P(whole) = 8/12 -> waste 0; P(700) = 4/12 -> 300 left, nothing fits
        assertThat(w.gpuWaste(G2, 1000)).isEqualTo(300.0 * 4 / 12, within(1e-9));
    }

    @Test
    void cpuStrandedGpuIsTheIdleBeyondWhatTheFreeCpuCanServe() {
        // GPU classes need 12 cores per GPU; CPU-only classes do not enter the ratio
        EventualWaste w = new EventualWaste(target(new TaskSpec[] {task(12000, 1, 1000), task(6000, 1, 500), task(32000, 0, 0)},
                new int[] {1, 1, 5}));
        assertThat(w.cpuPerGpuMilli()).isEqualTo(12.0, within(1e-12));
        assertThat(w.cpuStranded(8000, 96000)).isEqualTo(0, within(1e-9));  // 96 cores serve 8 GPUs
        assertThat(w.cpuStranded(8000, 48000)).isEqualTo(4000, within(1e-9));
        assertThat(w.cpuStranded(2000, 200000)).isZero();
    }

    @Test
    void whenCpuIsTheScarcerResourceTheCpuOnlyWorkCountsToo() {
        // GPU work: 18 cores per 1.5 GPUs = 12 per GPU; with the CPU-only class, 50 cores per 1.5 GPUs = 33.3
        TargetWorkload t = target(new TaskSpec[] {task(12000, 1, 1000), task(6000, 1, 500), task(32000, 0, 0)}, new int[] {1, 1, 1});
        assertThat(new EventualWaste(t, 40.0, 0).cpuPerGpuMilli()).isEqualTo(12.0, within(1e-12));       // CPU to spare
        assertThat(new EventualWaste(t, 30.0, 0).cpuPerGpuMilli()).isEqualTo(50.0 / 1.5, within(1e-12)); // CPU runs out first
        assertThat(new EventualWaste(t, Double.NaN, 0).cpuPerGpuMilli()).isEqualTo(12.0, within(1e-12)); // cluster unknown
        // the node's 96 free cores then serve fewer GPUs: 96 / 33.3 = 2.88 of its 8
        assertThat(new EventualWaste(t, 30.0, 0).cpuStranded(8000, 96000)).isEqualTo(8000 - 96000 / (50.0 / 1.5), within(1e-9));
    }

    @Test
    void aTargetWithoutGpuClassesStrandsNothingByCpu() {
        EventualWaste w = new EventualWaste(target(new TaskSpec[] {task(4000, 0, 0)}, new int[] {1}));
        assertThat(w.cpuStranded(8000, 0)).isZero();
        assertThat(w.gpuWaste(G2, 600)).isEqualTo(600);
    }

    @Test
    void nodeWasteAddsTheGpusAndTheCpuTerm() {
        EventualWaste w = new EventualWaste(target(new TaskSpec[] {task(12000, 1, 1000)}, new int[] {1}));
        ClusterState s = new ClusterState(List.of(node("a", "G2", 2, 18), node("cpu", "", 0, 8)));
        s.bind(0, task(0, 1, 300), 0b1);                 // GPU0: 700 free -> wasted; GPU1 free -> used
        // idle 1700, 18 cores serve 1500 -> 200 stranded by CPU
        assertThat(w.nodeWaste(s, 0)).isEqualTo(700 + 200, within(1e-9));
        assertThat(w.nodeWaste(s, 1)).isZero();
    }

    @Test
    void constrainedNeedIsTheShareOfAModelsCapacityOnlyItsClassesMayUse() {
        // demand: 1 T4-only GPU for every 3 unconstrained ones; capacity: 1,000 T4 of 10,000 GPUs
        EventualWaste w = new EventualWaste(target(new TaskSpec[] {task(4000, 1, 1000, "T4"), task(4000, 1, 1000)}, new int[] {1, 3}));
        long[] cap = new long[GpuModels.names().size()];
        cap[T4] = 1_000_000;
        cap[G2] = 9_000_000;
        double[] need = w.constrainedNeed(cap);
        // a quarter of a cluster-sized demand (2,500 GPUs) may only use 1,000 T4: all of it is needed
        assertThat(need[T4]).isEqualTo(1.0);
        assertThat(need[G2]).isZero();
        cap[T4] = 5_000_000;
        cap[G2] = 5_000_000;
        // 2,500 of 5,000 T4 GPUs
        assertThat(w.constrainedNeed(cap)[T4]).isEqualTo(0.5, within(1e-12));
    }

    @Test
    void constrainedDemandSpreadsOverItsModelsByCapacity() {
        EventualWaste w = new EventualWaste(target(new TaskSpec[] {task(4000, 1, 1000, "T4|G2"), task(4000, 1, 1000)}, new int[] {1, 9}));
        long[] cap = new long[GpuModels.names().size()];
        cap[T4] = 1_000_000;
        cap[G2] = 1_000_000;
        cap[GpuModels.idOf("P100")] = 8_000_000;
        double[] need = w.constrainedNeed(cap);
        // 1,000 GPUs of demand over 2,000 GPUs of T4 and G2: half of each
        assertThat(need[T4]).isEqualTo(0.5, within(1e-12));
        assertThat(need[G2]).isEqualTo(0.5, within(1e-12));
        assertThat(need[GpuModels.idOf("P100")]).isZero();
        // no constrained class: nothing needed
        assertThat(new EventualWaste(target(new TaskSpec[] {task(4000, 1, 1000)}, new int[] {1})).constrainedNeed(cap)).containsOnly(0.0);
    }

    @Property
    void wasteIsNeverNegativeNorAboveTheFreeCapacity(@ForAll @Size(min = 1, max = 6) List<@IntRange(min = 1, max = 1000) Integer> sizes,
                                                     @ForAll @IntRange(min = 0, max = 1000) int free,
                                                     @ForAll @DoubleRange(min = 0, max = 1) double end) {
        double[] w = new double[1001];
        for (int g : sizes) {
            w[g] += 1;
        }
        double[] v = EventualWaste.table(w, end);
        assertThat(v[free]).isBetween(0.0, (double) free);
        // an end can only add waste: every step mixes in r, which is at least every V below it
        assertThat(v[free]).isGreaterThanOrEqualTo(EventualWaste.table(w, 0)[free] - 1e-9);
        // a remainder below every size is wasted whole
        int min = sizes.stream().mapToInt(Integer::intValue).min().orElseThrow();
        if (free < min) {
            assertThat(v[free]).isEqualTo(free);
        }
    }
}
