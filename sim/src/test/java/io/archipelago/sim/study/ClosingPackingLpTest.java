package io.archipelago.sim.study;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The packing program behind the study-rules bound's second stage: GPUs of 1000 milli, items that
 * arrived before or after the closing point, and the closing rule (a GPU that had room for the shape
 * at the closing point takes only low items afterwards). Exact on cases solved by hand, and never
 * below the best integer packing found by exhaustive search.
 */
class ClosingPackingLpTest {
    private static final int B = ClosingPackingLp.BEFORE;
    private static final int L = ClosingPackingLp.AFTER_LOW;
    private static final int A = ClosingPackingLp.AFTER;

    /** One bin type of {@code gpus} GPUs, the rule on or off; classes as {size, kind, lo, hi}. */
    private static double bound(long gpus, boolean rule, int shapeMilli, int[]... classes) {
        int n = classes.length;
        int[] size = new int[n];
        int[] kind = new int[n];
        long[] lo = new long[n];
        long[] hi = new long[n];
        for (int k = 0; k < n; k++) {
            size[k] = classes[k][0];
            kind[k] = classes[k][1];
            lo[k] = classes[k][2];
            hi[k] = classes[k][3];
        }
        return new ClosingPackingLp(size, kind, lo, hi, new long[] {gpus}, new boolean[] {rule}, shapeMilli)
                .solve(400, 1e12).boundMilli();
    }

    @Test
    void withoutTheRuleItIsTheConfigurationLpOfBinPacking() {
        // 600 + two 500s on two GPUs: {600}, {500, 500} holds 1600; the LP cannot do better
        assertThat(bound(2, false, 810, new int[] {600, B, 0, 1}, new int[] {500, B, 0, 2})).isCloseTo(1600, within());
        // three 600s on two GPUs: only two fit
        assertThat(bound(2, false, 810, new int[] {600, B, 0, 3})).isCloseTo(1200, within());
    }

    @Test
    void aLargeShareBeforeTheClosingPointLetsAnyLaterItemShareItsGpu() {
        // the 810 arrived before j, so its GPU had 190 free at j: a later 150 of any CPU may join it
        assertThat(bound(1, true, 810, new int[] {810, B, 1, 1}, new int[] {150, A, 0, 1})).isCloseTo(960, within());
    }

    @Test
    void aGpuWithRoomForTheShapeAtTheClosingPointTakesOnlyLowItemsAfterIt() {
        // a 100 before j leaves 900 >= 810 free, so the node was blocked: the later 500 (not low) cannot join
        assertThat(bound(1, true, 810, new int[] {100, B, 1, 1}, new int[] {500, A, 0, 1})).isCloseTo(100, within());
        // a low one can
        assertThat(bound(1, true, 810, new int[] {100, B, 1, 1}, new int[] {500, L, 0, 1})).isCloseTo(600, within());
        // and an empty GPU takes no later item that is not low at all
        assertThat(bound(3, true, 810, new int[] {1000, A, 0, 3})).isCloseTo(0, within());
    }

    @Test
    void mandatoryItemsThatCannotAllBePlacedStillGiveAFiniteValue() {
        // two mandatory 600s cannot share one GPU: no real run has these closing points, and any value bounds them
        double b = bound(1, false, 810, new int[] {600, B, 2, 2});
        assertThat(b).isFinite();
    }

    @Test
    void badClassesAreRejectedWithTheirValues() {
        assertThatThrownBy(() -> bound(1, false, 810, new int[] {0, B, 0, 1}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("size 0");
        assertThatThrownBy(() -> bound(1, false, 810, new int[] {500, B, 2, 1}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lo 2, hi 1");
    }

    private static org.assertj.core.data.Offset<Double> within() {
        return org.assertj.core.data.Offset.offset(1e-6);
    }

    // --- exhaustive search on tiny cases ---

    record Item(int size, int kind, boolean mandatory) {
    }

    @Provide
    Arbitrary<List<Item>> items() {
        Arbitrary<Item> item = Combinators.combine(Arbitraries.of(100, 190, 250, 470, 500, 600, 810, 1000), Arbitraries.of(B, B, L, A),
                Arbitraries.of(false, false, true)).as((s, k, m) -> new Item(s, k, m && k == B));
        return item.list().ofMinSize(1).ofMaxSize(6);
    }

    @Property(tries = 400)
    void neverBelowTheBestIntegerPacking(@ForAll("items") List<Item> items, @ForAll("gpus") int gpus, @ForAll("shapes") int shape,
                                          @ForAll boolean rule) {
        long best = bestPacking(items, gpus, rule, 1000 - shape);
        // classes: identical items pooled
        List<int[]> classes = new ArrayList<>();
        for (Item it : items) {
            int[] found = null;
            for (int[] c : classes) {
                if (c[0] == it.size() && c[1] == it.kind() && (c[2] > 0) == it.mandatory()) {
                    found = c;
                }
            }
            if (found == null) {
                found = new int[] {it.size(), it.kind(), 0, 0};
                classes.add(found);
            }
            found[3]++;
            if (it.mandatory()) {
                found[2]++;
            }
        }
        // pooling by (size, kind, mandatory) would merge a mandatory and an optional class only if equal; keep them apart
        double b = bound(gpus, rule, shape, classes.toArray(new int[0][]));
        if (best >= 0) {
            assertThat(b).isGreaterThanOrEqualTo(best - 1e-6);
            Statistics.label("exact").collect(Math.abs(b - best) < 1e-6);
        }
        Statistics.label("feasible").collect(best >= 0);
    }

    @Provide
    Arbitrary<Integer> gpus() {
        return Arbitraries.integers().between(1, 3);
    }

    @Provide
    Arbitrary<Integer> shapes() {
        return Arbitraries.of(600, 810, 1000);
    }

    /** Most milli over every assignment of items to GPUs or to nothing (mandatory ones to a GPU); -1 if none is feasible. */
    private static long bestPacking(List<Item> items, int gpus, boolean rule, int threshold) {
        int n = items.size();
        int choices = gpus + 1;
        int total = 1;
        for (int i = 0; i < n; i++) {
            total *= choices;
        }
        long best = -1;
        for (int code = 0; code < total; code++) {
            int[] used = new int[gpus];
            int[] before = new int[gpus];
            boolean[] after = new boolean[gpus];
            long value = 0;
            boolean ok = true;
            int c = code;
            for (int i = 0; i < n && ok; i++) {
                int g = c % choices;
                c /= choices;
                Item it = items.get(i);
                if (g == gpus) {
                    ok = !it.mandatory();
                    continue;
                }
                used[g] += it.size();
                value += it.size();
                if (it.kind() == B) {
                    before[g] += it.size();
                } else if (it.kind() == A) {
                    after[g] = true;
                }
            }
            for (int g = 0; g < gpus && ok; g++) {
                ok = used[g] <= 1000 && (!rule || !after[g] || before[g] > threshold);
            }
            if (ok) {
                best = Math.max(best, value);
            }
        }
        return best;
    }
}
