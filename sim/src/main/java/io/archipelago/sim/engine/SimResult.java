package io.archipelago.sim.engine;

import io.archipelago.core.geo.Tier;
import io.archipelago.sim.econ.LedgerResult;

import java.util.ArrayList;
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
 * @param regional       what a run on a multi-region fleet measured about placement and economics, or null
 *                       (single-site runs)
 */
public record SimResult(String scenario, String policy, long seed, int nodes, long gpus, long endMs, long tasksArrived,
                        long tasksCompleted, long tasksRunning, long tasksQueued, long tasksRejected, long tasksTimedOut,
                        long events, long wallNanos, double gpuAllocMean, double fragMean, long[][] waitsMs,
                        long preemptions, long outageEvictions, double gpuHoursLostPreemption, double gpuHoursLostOutage,
                        List<String> columns, double[][] series, List<Simulation.Tenant> tenants, List<String> notes,
                        Regional regional) {

    /**
     * The multi-region part of a result.
     *
     * @param stats  placement-side statistics (rule checks, SLO attainment, failover), not null
     * @param ledger the economics, or null when the run kept no ledger
     */
    public record Regional(RegionalStats stats, LedgerResult ledger) {
        public Regional {
            java.util.Objects.requireNonNull(stats, "stats");
        }
    }

    /** A result without a multi-region part. */
    public SimResult(String scenario, String policy, long seed, int nodes, long gpus, long endMs, long tasksArrived,
                     long tasksCompleted, long tasksRunning, long tasksQueued, long tasksRejected, long tasksTimedOut,
                     long events, long wallNanos, double gpuAllocMean, double fragMean, long[][] waitsMs,
                     long preemptions, long outageEvictions, double gpuHoursLostPreemption, double gpuHoursLostOutage,
                     List<String> columns, double[][] series, List<Simulation.Tenant> tenants, List<String> notes) {
        this(scenario, policy, seed, nodes, gpus, endMs, tasksArrived, tasksCompleted, tasksRunning, tasksQueued, tasksRejected,
                tasksTimedOut, events, wallNanos, gpuAllocMean, fragMean, waitsMs, preemptions, outageEvictions,
                gpuHoursLostPreemption, gpuHoursLostOutage, columns, series, tenants, notes, null);
    }

    /** A copy with the multi-region part {@code stats} (not null) and {@code ledger} (may be null). */
    public SimResult withRegional(RegionalStats stats, LedgerResult ledger) {
        return new SimResult(scenario, policy, seed, nodes, gpus, endMs, tasksArrived, tasksCompleted, tasksRunning, tasksQueued,
                tasksRejected, tasksTimedOut, events, wallNanos, gpuAllocMean, fragMean, waitsMs, preemptions, outageEvictions,
                gpuHoursLostPreemption, gpuHoursLostOutage, columns, series, tenants, notes, new Regional(stats, ledger));
    }

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
        if (regional != null) {
            putRegional(m, regional);
        }
        return m;
    }

    /**
     * The multi-region keys of {@link #summary()}: rule checks, SLO attainment, utilisation and money of the fleet, then
     * {@code regions}, {@code sites}, {@code months}, {@code failover} and {@code unplaceable_jobs}. Shares and SLO
     * attainment are fractions (4 decimals), money is USD (2 decimals), {@code margin_pct} a percentage of revenue
     * (2 decimals), GPU-hours have 3 decimals, waits are seconds (3 decimals); undefined values (no revenue, no SLO
     * job, nothing installed) are null. Without a ledger the money and utilisation keys are null.
     */
    private static void putRegional(Map<String, Object> m, Regional reg) {
        RegionalStats st = reg.stats();
        LedgerResult led = reg.ledger();
        LedgerResult.Figures fleet = led == null ? null : led.total();
        m.put("residency_violations", st.residencyViolations());
        m.put("latency_violations", st.latencyViolations());
        m.put("slo_attainment", share(st.sloAttainment()));
        m.put("utilisation", fleet == null ? null : share(fleet.utilisation()));
        m.put("revenue_usd", fleet == null ? null : usd(fleet.revenueUsd()));
        m.put("cost_usd", fleet == null ? null : usd(fleet.costUsd()));
        m.put("margin_usd", fleet == null ? null : usd(fleet.marginUsd()));
        m.put("margin_pct", fleet == null ? null : nanToNull(round(fleet.marginPct(), 2)));
        m.put("gpu_hours_installed", fleet == null ? null : round(fleet.gpuHoursInstalled(), 3));
        m.put("gpu_hours_allocated", fleet == null ? null : round(fleet.gpuHoursAllocated(), 3));
        if (fleet != null) {
            Map<String, Object> tiers = new LinkedHashMap<>();
            for (Tier t : Tier.values()) {
                tiers.put(t.label(), usd(fleet.revenueUsd(t)));
            }
            m.put("revenue_by_tier_usd", tiers);
            Map<String, Object> split = new LinkedHashMap<>();
            split.put("depreciation", usd(fleet.depreciationUsd()));
            split.put("facility", usd(fleet.facilityUsd()));
            split.put("energy", usd(fleet.energyUsd()));
            m.put("cost_split_usd", split);
        }
        m.put("slo_wait_s", round(st.sloWaitMs() / 1000.0, 3));

        Map<String, Object> regions = new LinkedHashMap<>();
        for (int r = 0; r < st.regions().size(); r++) {
            String id = st.regions().get(r);
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("origin_jobs", st.jobsByOrigin()[r]);
            e.put("origin_slo_jobs", st.sloJobsByOrigin()[r]);
            e.put("origin_slo_met", st.sloMetByOrigin()[r]);
            e.put("slo_attainment", share(st.sloAttainment(r)));
            e.put("origin_gpu_hours", round(st.gpuHoursByOrigin()[r], 3));
            putEconomics(e, led == null ? null : led.byRegion().get(id));
            regions.put(id, e);
        }
        m.put("regions", regions);

        Map<String, Object> sites = new LinkedHashMap<>();
        for (int s = 0; s < st.sites().size(); s++) {
            String name = st.sites().get(s);
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("region", st.regions().get(st.regionOfSite()[s]));
            e.put("starts", st.startsBySite()[s]);
            putEconomics(e, led == null ? null : led.bySite().get(name));
            sites.put(name, e);
        }
        m.put("sites", sites);

        Map<String, Object> months = new LinkedHashMap<>();
        if (led != null) {
            for (String month : led.months()) {
                Map<String, Object> byRegion = new LinkedHashMap<>();
                for (Map.Entry<String, LedgerResult.Figures> e : led.byMonthAndRegion().get(month).entrySet()) {
                    if (!led.hasSites(e.getKey())) {
                        continue;
                    }
                    LedgerResult.Figures f = e.getValue();
                    Map<String, Object> v = new LinkedHashMap<>();
                    v.put("utilisation", share(f.utilisation()));
                    v.put("revenue_usd", usd(f.revenueUsd()));
                    v.put("cost_usd", usd(f.costUsd()));
                    v.put("margin_usd", usd(f.marginUsd()));
                    byRegion.put(e.getKey(), v);
                }
                months.put(month, byRegion);
            }
        }
        m.put("months", months);

        Map<String, Object> failover = new LinkedHashMap<>();
        List<Object> moves = new ArrayList<>();
        for (int from = 0; from < st.sites().size(); from++) {
            for (int to = 0; to < st.sites().size(); to++) {
                long n = st.failoverJobs()[from][to];
                if (n != 0) {
                    Map<String, Object> mv = new LinkedHashMap<>();
                    mv.put("from", st.sites().get(from));
                    mv.put("to", st.sites().get(to));
                    mv.put("jobs", n);
                    moves.add(mv);
                }
            }
        }
        failover.put("moves", moves);
        Map<String, Object> bySite = new LinkedHashMap<>();
        for (int s = 0; s < st.sites().size(); s++) {
            long restarted = 0;
            for (long n : st.failoverJobs()[s]) {
                restarted += n;
            }
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("restarted", restarted);
            e.put("waiting", st.failoverWaiting()[s]);
            e.put("rejected", st.failoverRejected()[s]);
            e.put("wait_p95_s", nanToNull(round(st.failoverWaitP95Ms()[s] / 1000.0, 3)));
            bySite.put(st.sites().get(s), e);
        }
        failover.put("by_site", bySite);
        m.put("failover", failover);
        m.put("unplaceable_jobs", st.unplaceableJobs());
    }

    /** Utilisation, GPU-hours, revenue, the cost split, cost and margin of {@code f} (all null when {@code f} is null). */
    private static void putEconomics(Map<String, Object> e, LedgerResult.Figures f) {
        e.put("utilisation", f == null ? null : share(f.utilisation()));
        e.put("gpu_hours_allocated", f == null ? null : round(f.gpuHoursAllocated(), 3));
        e.put("gpu_hours_installed", f == null ? null : round(f.gpuHoursInstalled(), 3));
        e.put("revenue_usd", f == null ? null : usd(f.revenueUsd()));
        e.put("depreciation_usd", f == null ? null : usd(f.depreciationUsd()));
        e.put("facility_usd", f == null ? null : usd(f.facilityUsd()));
        e.put("energy_usd", f == null ? null : usd(f.energyUsd()));
        e.put("cost_usd", f == null ? null : usd(f.costUsd()));
        e.put("margin_usd", f == null ? null : usd(f.marginUsd()));
        e.put("margin_pct", f == null ? null : nanToNull(round(f.marginPct(), 2)));
    }

    private static Object share(double v) {
        return nanToNull(round(v, 4));
    }

    private static double usd(double v) {
        return round(v, 2);
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
