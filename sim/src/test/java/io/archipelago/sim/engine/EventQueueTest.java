package io.archipelago.sim.engine;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The event core: integer time, ties by scheduling order, one way to advance the clock. */
class EventQueueTest {
    /** A test event that knows when it was meant to fire. */
    record Ev(String name, long at) {
    }

    private final EventQueue<Ev> q = new EventQueue<>();

    private void schedule(String name, long at) {
        q.schedule(at, new Ev(name, at));
    }

    private List<String> drain() {
        List<String> out = new ArrayList<>();
        for (Ev e = q.step(); e != null; e = q.step()) {
            out.add(e.name());
        }
        return out;
    }

    @Test
    void eventsFireByTimeThenInTheOrderTheyWereScheduled() {
        schedule("c@30", 30);
        schedule("a@10", 10);
        schedule("b1@20", 20);
        schedule("b2@20", 20);
        schedule("b3@20", 20);

        assertThat(drain()).containsExactly("a@10", "b1@20", "b2@20", "b3@20", "c@30");
    }

    @Test
    void stepAdvancesTheClockBeforeReturningSoTheHandlerSeesTheEventTime() {
        schedule("first", 5);
        schedule("second", 42);

        List<Long> seenByHandler = new ArrayList<>();
        for (Ev e = q.step(); e != null; e = q.step()) {
            seenByHandler.add(q.now());
            assertThat(q.now()).as("clock when handling %s", e.name()).isEqualTo(e.at());
        }
        assertThat(seenByHandler).containsExactly(5L, 42L);
        assertThat(q.steps()).isEqualTo(2);
    }

    @Test
    void anEventScheduledNowFiresAfterThoseAlreadyScheduledForNow() {
        schedule("x", 10);
        schedule("y", 10);
        assertThat(q.step().name()).isEqualTo("x");

        schedule("z", q.now()); // a handler reacting at t=10

        assertThat(drain()).containsExactly("y", "z");
        assertThat(q.now()).isEqualTo(10);
    }

    @Test
    void schedulingBeforeNowIsRejectedNamingBothTimes() {
        schedule("tick", 100);
        q.step();

        assertThatThrownBy(() -> schedule("late", 50))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("50 ms")
                .hasMessageContaining("100 ms");
        assertThat(q.isEmpty()).as("the rejected event was not queued").isTrue();
    }

    @Test
    void anEmptyQueueStepsToNullAndKeepsItsClock() {
        schedule("only", 7);
        q.step();

        assertThat(q.step()).isNull();
        assertThat(q.now()).isEqualTo(7);
        assertThat(q.peekTime()).isEqualTo(Long.MAX_VALUE);
        assertThat(q.steps()).isEqualTo(1);
    }

    // ------------------------------------------------------------ model-based

    /** One operation: schedule at {@code now + delay}, or step when {@code delay < 0}. */
    record Op(long delay) {
        boolean isStep() {
            return delay < 0;
        }
    }

    /** The reference: a list kept sorted by (time, scheduling order). */
    record Entry(long at, long seq, Ev ev) {
    }

    @Provide
    Arbitrary<List<Op>> operations() {
        // delays from a small range so that ties are common; enough operations to grow the heap past 64
        Arbitrary<Op> op = Arbitraries.frequencyOf(
                Tuple.of(2, Arbitraries.just(new Op(-1))),
                Tuple.of(3, Arbitraries.longs().between(0, 20).map(Op::new)));
        return op.list().ofMaxSize(400);
    }

    @Property(tries = 300)
    void behavesLikeAListSortedByTimeThenSequence(@ForAll("operations") List<Op> ops) {
        EventQueue<Ev> queue = new EventQueue<>();
        List<Entry> model = new ArrayList<>();
        Comparator<Entry> order = Comparator.comparingLong(Entry::at).thenComparingLong(Entry::seq);
        long modelNow = 0;
        long seq = 0;
        for (Op op : ops) {
            if (op.isStep()) {
                Ev got = queue.step();
                if (model.isEmpty()) {
                    assertThat(got).isNull();
                } else {
                    Entry want = model.remove(0);
                    modelNow = want.at();
                    assertThat(got).isSameAs(want.ev());
                }
            } else {
                long at = modelNow + op.delay();
                Ev ev = new Ev("e" + seq, at);
                queue.schedule(at, ev);
                model.add(new Entry(at, seq++, ev));
                model.sort(order);
            }
            assertThat(queue.now()).isEqualTo(modelNow);
            assertThat(queue.size()).isEqualTo(model.size());
            assertThat(queue.peekTime()).isEqualTo(model.isEmpty() ? Long.MAX_VALUE : model.get(0).at());
        }
    }
}
