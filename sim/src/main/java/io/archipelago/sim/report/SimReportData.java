package io.archipelago.sim.report;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything {@link SimReport} shows about one simulation run: a summary table, time series sampled at
 * {@link #timeHours()}, per-tenant usage, and waiting-time samples per priority class.
 *
 * <p>The compact constructor fails fast: every per-sample array (including each {@code tenantGpus} value) must have
 * exactly as many values as {@code timeHours}; {@code timeHours} must be finite and non-decreasing; each
 * {@code tenantGuaranteed} value must hold exactly one finite, non-negative number; waiting times must be finite and
 * non-negative. {@code NaN} in a per-sample series (other than {@code timeHours}) is a gap in the line.
 *
 * <p>{@code null} description, maps and notes are treated as empty. Arrays and collections are copied, so later
 * changes by the caller do not leak into the report. Maps keep insertion order, which is the order in the page.
 *
 * @param title              run name, e.g. {@code "openb-default-fgd"}
 * @param description        scenario description, may be empty
 * @param summary            ordered key → formatted value, shown as a table at the top
 * @param timeHours          sample times (hours of simulated time), ascending
 * @param gpuAllocPct        % of GPUs of available nodes allocated, per sample
 * @param fragPct            % of GPUs fragmented (FGD measure), per sample
 * @param queued             tasks waiting, per sample
 * @param running            tasks running, per sample
 * @param availableGpus      GPUs on nodes that are up, per sample (drops during outages)
 * @param tenantGpus         tenant name → GPUs in use per sample (may be one tenant)
 * @param tenantGuaranteed   tenant name → single-element array {@code {guaranteed GPUs}} (may be empty)
 * @param waitSecondsByClass class name → waiting times in seconds of the tasks of that class that started (arrays
 *                           may be empty; sorted ascending on construction)
 * @param notes              free-text lines (e.g. outage events) shown under the charts
 * @param regions            the "Regions and economics" section of a multi-region run, or null for none
 */
public record SimReportData(
        String title,
        String description,
        LinkedHashMap<String, String> summary,
        double[] timeHours,
        double[] gpuAllocPct,
        double[] fragPct,
        double[] queued,
        double[] running,
        double[] availableGpus,
        LinkedHashMap<String, double[]> tenantGpus,
        LinkedHashMap<String, double[]> tenantGuaranteed,
        LinkedHashMap<String, double[]> waitSecondsByClass,
        List<String> notes,
        Regions regions) {

    /** Report data without a multi-region section. */
    public SimReportData(String title, String description, LinkedHashMap<String, String> summary, double[] timeHours,
                         double[] gpuAllocPct, double[] fragPct, double[] queued, double[] running, double[] availableGpus,
                         LinkedHashMap<String, double[]> tenantGpus, LinkedHashMap<String, double[]> tenantGuaranteed,
                         LinkedHashMap<String, double[]> waitSecondsByClass, List<String> notes) {
        this(title, description, summary, timeHours, gpuAllocPct, fragPct, queued, running, availableGpus, tenantGpus,
                tenantGuaranteed, waitSecondsByClass, notes, null);
    }

    /** A copy with the multi-region section {@code r} (null for none). */
    public SimReportData withRegions(Regions r) {
        return new SimReportData(title, description, summary, timeHours, gpuAllocPct, fragPct, queued, running, availableGpus,
                tenantGpus, tenantGuaranteed, waitSecondsByClass, notes, r);
    }

    /**
     * What the "Regions and economics" section shows. Numbers are raw (the report formats them); NaN means "not
     * defined" (no job with an SLO, nothing installed, no revenue, no ledger) and is shown as a dash. Money is USD,
     * shares are fractions 0..1.
     *
     * @param residencyViolations binds that broke a task's residency rules, per the independent check at every bind
     * @param latencyViolations   binds that broke a task's latency SLO, per the same check
     * @param unplaceableJobs     jobs rejected on arrival because no allowed site could ever hold them
     * @param sloWaitSeconds      the wait bound of the SLO definition, seconds
     * @param sloAttainment       fleet SLO attainment
     * @param utilisation         fleet allocated / installed GPU-hours
     * @param revenueUsd          fleet revenue
     * @param costUsd             fleet cost
     * @param marginUsd           fleet margin
     * @param regionRows          one row per region, table order
     * @param siteRows            one row per site, table order
     * @param months              month labels ({@code yyyy-MM}), chronological
     * @param monthBoundsHours    simulated hours at which the months begin, plus the end of the last one ({@code
     *                            months.size() + 1} ascending values, or none without months); the monthly charts
     *                            draw each month as a step over its span
     * @param monthlyRevenueUsd   region → revenue per month (one value per month)
     * @param monthlyCostUsd      region → cost per month
     * @param monthlyMarginUsd    region → margin per month
     * @param monthlyUtilisation  region → utilisation per month (fraction; NaN = nothing installed)
     * @param failover            one row per site whose outages evicted work, table order
     */
    public record Regions(long residencyViolations, long latencyViolations, long unplaceableJobs, double sloWaitSeconds,
                          double sloAttainment, double utilisation, double revenueUsd, double costUsd, double marginUsd,
                          List<RegionRow> regionRows, List<SiteRow> siteRows, List<String> months,
                          double[] monthBoundsHours, LinkedHashMap<String, double[]> monthlyRevenueUsd,
                          LinkedHashMap<String, double[]> monthlyCostUsd,
                          LinkedHashMap<String, double[]> monthlyMarginUsd,
                          LinkedHashMap<String, double[]> monthlyUtilisation, List<FailoverRow> failover) {
        public Regions {
            regionRows = List.copyOf(regionRows);
            siteRows = List.copyOf(siteRows);
            months = List.copyOf(months);
            failover = List.copyOf(failover);
            int n = months.size();
            monthBoundsHours = requireArray("monthBoundsHours", monthBoundsHours == null ? new double[0] : monthBoundsHours);
            if (monthBoundsHours.length != (n == 0 ? 0 : n + 1)) {
                throw new IllegalArgumentException("monthBoundsHours has " + monthBoundsHours.length + " values for " + n
                        + " months; expected one more than the months (their starts and the end of the last)");
            }
            for (int i = 0; i < monthBoundsHours.length; i++) {
                if (!Double.isFinite(monthBoundsHours[i]) || (i > 0 && !(monthBoundsHours[i] >= monthBoundsHours[i - 1]))) {
                    throw new IllegalArgumentException("monthBoundsHours[" + i + "] = " + monthBoundsHours[i]
                            + " must be finite and not below the previous bound");
                }
            }
            monthlyRevenueUsd = perMonth("monthlyRevenueUsd", monthlyRevenueUsd, n);
            monthlyCostUsd = perMonth("monthlyCostUsd", monthlyCostUsd, n);
            monthlyMarginUsd = perMonth("monthlyMarginUsd", monthlyMarginUsd, n);
            monthlyUtilisation = perMonth("monthlyUtilisation", monthlyUtilisation, n);
        }

        private static LinkedHashMap<String, double[]> perMonth(String field, LinkedHashMap<String, double[]> m, int n) {
            LinkedHashMap<String, double[]> out = new LinkedHashMap<>();
            if (m != null) {
                for (Map.Entry<String, double[]> e : m.entrySet()) {
                    String key = requireKey(field, e.getKey());
                    out.put(key, perSample(field + "['" + key + "']", e.getValue(), n, "months"));
                }
            }
            return out;
        }
    }

    /** One row of the per-region table. */
    public record RegionRow(String region, long originJobs, double sloAttainment, double utilisation, double revenueUsd,
                            double costUsd, double marginUsd) {
        public RegionRow {
            Objects.requireNonNull(region, "region");
        }
    }

    /** One row of the per-site table. */
    public record SiteRow(String site, String region, long starts, double utilisation, double revenueUsd, double costUsd,
                          double marginUsd) {
        public SiteRow {
            Objects.requireNonNull(site, "site");
            Objects.requireNonNull(region, "region");
        }
    }

    /**
     * Where the jobs evicted by outages at one site went.
     *
     * @param site           the site of the outages
     * @param restartedAt    site → jobs evicted at {@code site} that restarted there (non-zero entries, table order)
     * @param waiting        evicted jobs still waiting at the end
     * @param rejected       evicted jobs that were then rejected (timed out)
     * @param waitP95Seconds p95 of the wait between eviction and restart, seconds (NaN if none restarted)
     */
    public record FailoverRow(String site, LinkedHashMap<String, Long> restartedAt, long waiting, long rejected,
                              double waitP95Seconds) {
        public FailoverRow {
            Objects.requireNonNull(site, "site");
            restartedAt = restartedAt == null ? new LinkedHashMap<>() : new LinkedHashMap<>(restartedAt);
        }

        /** Jobs restarted anywhere. */
        public long restarted() {
            long n = 0;
            for (long v : restartedAt.values()) {
                n += v;
            }
            return n;
        }
    }

    public SimReportData {
        Objects.requireNonNull(title, "title must not be null (use the scenario or run name)");
        description = description == null ? "" : description;

        summary = copyStrings("summary", summary);

        timeHours = requireArray("timeHours", timeHours);
        for (int i = 0; i < timeHours.length; i++) {
            if (!Double.isFinite(timeHours[i])) {
                throw new IllegalArgumentException("timeHours[" + i + "] = " + timeHours[i] + " is not finite");
            }
            if (i > 0 && timeHours[i] < timeHours[i - 1]) {
                throw new IllegalArgumentException("timeHours must be ascending but timeHours[" + i + "] = "
                        + timeHours[i] + " < timeHours[" + (i - 1) + "] = " + timeHours[i - 1]);
            }
        }
        int n = timeHours.length;
        gpuAllocPct = perSample("gpuAllocPct", gpuAllocPct, n);
        fragPct = perSample("fragPct", fragPct, n);
        queued = perSample("queued", queued, n);
        running = perSample("running", running, n);
        availableGpus = perSample("availableGpus", availableGpus, n);

        LinkedHashMap<String, double[]> tg = new LinkedHashMap<>();
        if (tenantGpus != null) {
            for (Map.Entry<String, double[]> e : tenantGpus.entrySet()) {
                String key = requireKey("tenantGpus", e.getKey());
                tg.put(key, perSample("tenantGpus['" + key + "']", e.getValue(), n));
            }
        }
        tenantGpus = tg;

        LinkedHashMap<String, double[]> guaranteed = new LinkedHashMap<>();
        if (tenantGuaranteed != null) {
            for (Map.Entry<String, double[]> e : tenantGuaranteed.entrySet()) {
                String key = requireKey("tenantGuaranteed", e.getKey());
                double[] v = requireArray("tenantGuaranteed['" + key + "']", e.getValue());
                if (v.length != 1) {
                    throw new IllegalArgumentException("tenantGuaranteed['" + key + "'] must hold exactly one value"
                            + " {guaranteed GPUs} but has " + v.length);
                }
                if (!Double.isFinite(v[0]) || v[0] < 0) {
                    throw new IllegalArgumentException("tenantGuaranteed['" + key + "'] = " + v[0]
                            + " must be a finite, non-negative number of GPUs");
                }
                guaranteed.put(key, v);
            }
        }
        tenantGuaranteed = guaranteed;

        LinkedHashMap<String, double[]> waits = new LinkedHashMap<>();
        if (waitSecondsByClass != null) {
            for (Map.Entry<String, double[]> e : waitSecondsByClass.entrySet()) {
                String key = requireKey("waitSecondsByClass", e.getKey());
                double[] v = requireArray("waitSecondsByClass['" + key + "']", e.getValue());
                for (int i = 0; i < v.length; i++) {
                    if (!Double.isFinite(v[i]) || v[i] < 0) {
                        throw new IllegalArgumentException("waitSecondsByClass['" + key + "'][" + i + "] = " + v[i]
                                + " must be a finite, non-negative number of seconds");
                    }
                }
                Arrays.sort(v);
                waits.put(key, v);
            }
        }
        waitSecondsByClass = waits;

        if (notes == null) {
            notes = List.of();
        } else {
            for (int i = 0; i < notes.size(); i++) {
                if (notes.get(i) == null) {
                    throw new IllegalArgumentException("notes[" + i + "] is null");
                }
            }
            notes = List.copyOf(notes);
        }
    }

    private static double[] requireArray(String field, double[] a) {
        if (a == null) {
            throw new IllegalArgumentException(field + " must not be null");
        }
        return a.clone();
    }

    private static double[] perSample(String field, double[] a, int n) {
        return perSample(field, a, n, "timeHours");
    }

    private static double[] perSample(String field, double[] a, int n, String axis) {
        double[] copy = requireArray(field, a);
        if (copy.length != n) {
            throw new IllegalArgumentException(field + " has " + copy.length + " values but " + axis + " has " + n
                    + " (one value per " + (axis.equals("timeHours") ? "sample" : "month") + " is required)");
        }
        for (int i = 0; i < copy.length; i++) {
            if (Double.isInfinite(copy[i])) {
                throw new IllegalArgumentException(field + "[" + i + "] = " + copy[i]
                        + " is infinite (use NaN for a missing sample)");
            }
        }
        return copy;
    }

    private static String requireKey(String field, String key) {
        if (key == null) {
            throw new IllegalArgumentException(field + " has a null key");
        }
        return key;
    }

    private static LinkedHashMap<String, String> copyStrings(String field, LinkedHashMap<String, String> m) {
        LinkedHashMap<String, String> out = new LinkedHashMap<>();
        if (m != null) {
            for (Map.Entry<String, String> e : m.entrySet()) {
                String key = requireKey(field, e.getKey());
                if (e.getValue() == null) {
                    throw new IllegalArgumentException(field + "['" + key + "'] is null");
                }
                out.put(key, e.getValue());
            }
        }
        return out;
    }
}
