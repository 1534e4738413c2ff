package io.archipelago.sim.engine;

import java.util.Arrays;

/**
 * The event core: integer virtual time and one ordered queue.
 *
 * <h2>Design note</h2>
 * Time is a {@code long} count of milliseconds from the start of the simulation; there is no
 * floating-point time anywhere. Events are ordered by time, then by a sequence number given when
 * they were scheduled, so two events at the same instant fire in the order they were scheduled and a
 * run is reproducible bit for bit. {@link #step()} is the only way the clock advances: it removes the
 * first event, sets {@link #now()} to its time and returns it; a handler that runs after
 * {@code step()} returns therefore observes the event's own time. Scheduling in the past is an
 * error. The queue is a binary heap over parallel primitive arrays (no per-event wrapper objects).
 *
 * @param <E> the event type (a sealed interface of records in the simulator)
 */
public final class EventQueue<E> {
    private long[] time = new long[64];
    private long[] seq = new long[64];
    private Object[] events = new Object[64];
    private int size;
    private long nextSeq;
    private long now;
    private long stepped;

    /** Current virtual time, ms. */
    public long now() {
        return now;
    }

    /** Events waiting. */
    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    /** Events returned by {@link #step()} so far. */
    public long steps() {
        return stepped;
    }

    /** Time of the next event, or {@link Long#MAX_VALUE} when none is waiting. */
    public long peekTime() {
        return size == 0 ? Long.MAX_VALUE : time[0];
    }

    /**
     * Schedules {@code event} at absolute time {@code at}. Throws if {@code at} lies before
     * {@link #now()}; an event at {@code now()} fires after the ones already scheduled for it.
     */
    public void schedule(long at, E event) {
        if (at < now) {
            throw new IllegalArgumentException("event " + event + " scheduled at " + at + " ms, before the current time " + now
                    + " ms; events can only be scheduled now or later");
        }
        if (event == null) {
            throw new IllegalArgumentException("null event");
        }
        if (size == time.length) {
            int cap = size * 2;
            time = Arrays.copyOf(time, cap);
            seq = Arrays.copyOf(seq, cap);
            events = Arrays.copyOf(events, cap);
        }
        int i = size++;
        long s = nextSeq++;
        // sift up
        while (i > 0) {
            int p = (i - 1) >>> 1;
            if (!before(at, s, time[p], seq[p])) {
                break;
            }
            time[i] = time[p];
            seq[i] = seq[p];
            events[i] = events[p];
            i = p;
        }
        time[i] = at;
        seq[i] = s;
        events[i] = event;
    }

    /** Removes the first event, advances the clock to its time and returns it; null when empty. */
    @SuppressWarnings("unchecked")
    public E step() {
        if (size == 0) {
            return null;
        }
        E first = (E) events[0];
        now = time[0];
        stepped++;
        int last = --size;
        long lt = time[last];
        long ls = seq[last];
        Object le = events[last];
        events[last] = null;
        if (last > 0) {
            int i = 0;
            while (true) {
                int c = 2 * i + 1;
                if (c >= last) {
                    break;
                }
                if (c + 1 < last && before(time[c + 1], seq[c + 1], time[c], seq[c])) {
                    c++;
                }
                if (!before(time[c], seq[c], lt, ls)) {
                    break;
                }
                time[i] = time[c];
                seq[i] = seq[c];
                events[i] = events[c];
                i = c;
            }
            time[i] = lt;
            seq[i] = ls;
            events[i] = le;
        }
        return first;
    }

    private static boolean before(long t1, long s1, long t2, long s2) {
        return t1 < t2 || (t1 == t2 && s1 < s2);
    }
}
