package io.archipelago.sim.engine;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What one simulation measured: counters, time-weighted means, waiting times per class, the time
 * series, and the notes (outages) to show beside the charts.
 *
 * @param endMs          simulated time at the end, ms
 * @param waitsMs        per priority class (by ordinal), sorted waiting times of jobs that started, ms
 * @param gpuAllocMean   time-weighted mean of allocated GPUs as a percentage of the GPUs of nodes that are up
 * @param fragMean       time-weighted mean of the FGD fragmentation rate (fragmented GPU as a percentage of idle GPU)
 * @param columns        time-series column names
 * @param series         time-series values, one array per column
 */
public record SimResult(String scenario, String policy, long seed, int nodes, long gpus, long endMs, long tasksArrived,
                        long tasksCompleted, long tasksRunning, long tasksQueued, long tasksRejected, long tasksTimedOut,
                        long events, long wallNanos, double gpuAllocMean, double fragMean, long[][] waitsMs,
                        long preemptions, long outageEvictions, double gpuHoursLostPreemption, double gpuHoursLostOutage,
                        List<String> columns, double[][] series, List<Simulation.Tenant> tenants, List<String> notes) {

    /** Events handled per second of wall time. */
    public double eventsPerSecond() {
        return wallNanos == 0 ? 0 : events * 1e9 / wallNanos;
    }

    /** Nearest-rank percentile of all classes' waiting times, seconds; NaN when no job started. */
    public double waitPercentileSeconds(double p) {
        int n = 0;
        for (long[] w : waitsMs) {
            n += w.length;
        }
        if (n == 0) {
            return Double.NaN;
        }
        long[] all = new long[n];
        int k = 0;
        for (long[] w : waitsMs) {
            System.arraycopy(w, 0, all, k, w.length);
            k += w.length;
        }
        java.util.Arrays.sort(all);
        return nearestRank(all, p) / 1000.0;
    }

    /** Nearest-rank percentile of one sorted array (ms); NaN when empty. */
    public static double nearestRank(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int idx = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, idx))];
    }

    /** The column's values. */
    public double[] column(String name) {
        int i = columns.indexOf(name);
        if (i < 0) {
            throw new IllegalArgumentException("no column " + name + "; columns: " + columns);
        }
        return series[i];
    }

    /**
     * The summary as ordered key/value pairs (numbers as {@link Number}, absent values as null). The
     * two wall-clock entries, {@code wall_seconds} and {@code events_per_second}, are the only ones
     * that differ between two runs of the same scenario and seed.
     */
    public Map<String, Object> summary() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("scenario", scenario);
        m.put("policy", policy);
        m.put("seed", seed);
        m.put("nodes", nodes);
        m.put("gpus", gpus);
        m.put("simulated_seconds", endMs / 1000.0);
        m.put("tasks_arrived", tasksArrived);
        m.put("tasks_completed", tasksCompleted);
        m.put("tasks_running", tasksRunning);
        m.put("tasks_queued", tasksQueued);
        m.put("tasks_rejected", tasksRejected);
        m.put("tasks_timed_out", tasksTimedOut);
        m.put("events", events);
        m.put("events_per_second", round(eventsPerSecond(), 0));
        m.put("wall_seconds", round(wallNanos / 1e9, 3));
        m.put("gpu_alloc_mean", round(gpuAllocMean, 4));
        m.put("frag_mean", round(fragMean, 4));
        m.put("wait_p50_s", nanToNull(round(waitPercentileSeconds(50), 3)));
        m.put("wait_p95_s", nanToNull(round(waitPercentileSeconds(95), 3)));
        m.put("wait_p99_s", nanToNull(round(waitPercentileSeconds(99), 3)));
        m.put("preemptions", preemptions);
        m.put("gpu_hours_lost", round(gpuHoursLostPreemption + gpuHoursLostOutage, 3));
        m.put("gpu_hours_lost_preemption", round(gpuHoursLostPreemption, 3));
        m.put("gpu_hours_lost_outage", round(gpuHoursLostOutage, 3));
        m.put("tasks_evicted_by_outage", outageEvictions);
        Map<String, Object> byClass = new LinkedHashMap<>();
        for (int c = PriorityClass.values().length - 1; c >= 0; c--) {
            Map<String, Object> e = new LinkedHashMap<>();
            long[] w = waitsMs[c];
            e.put("started", (long) w.length);
            e.put("wait_p50_s", nanToNull(round(nearestRank(w, 50) / 1000.0, 3)));
            e.put("wait_p95_s", nanToNull(round(nearestRank(w, 95) / 1000.0, 3)));
            e.put("wait_p99_s", nanToNull(round(nearestRank(w, 99) / 1000.0, 3)));
            byClass.put(PriorityClass.of(c).label(), e);
        }
        m.put("by_class", byClass);
        Map<String, Object> byTenant = new LinkedHashMap<>();
        double[] time = column("time_s");
        for (Simulation.Tenant t : tenants) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("guaranteed_gpus", t.guaranteedMilli() / 1000.0);
            e.put("max_gpus", t.maxMilli() < 0 ? null : t.maxMilli() / 1000.0);
            e.put("weight", t.weight());
            e.put("gpus_mean", round(timeMean(time, column("gpus_" + t.name())), 3));
            byTenant.put(t.name(), e);
        }
        m.put("tenants", byTenant);
        return m;
    }

    /** Step-wise time-weighted mean of a sampled series (each sample holds until the next). */
    static double timeMean(double[] t, double[] v) {
        if (t.length == 0) {
            return 0;
        }
        double area = 0;
        for (int i = 0; i + 1 < t.length; i++) {
            area += v[i] * (t[i + 1] - t[i]);
        }
        double span = t[t.length - 1] - t[0];
        return span > 0 ? area / span : v[0];
    }

    static double round(double v, int places) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return v;
        }
        return new java.math.BigDecimal(v).setScale(places, java.math.RoundingMode.HALF_EVEN).doubleValue();
    }

    private static Object nanToNull(double v) {
        return Double.isNaN(v) ? null : v;
    }

    static String format(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return String.valueOf((long) v);
        }
        return String.format(Locale.ROOT, "%s", v);
    }
}
