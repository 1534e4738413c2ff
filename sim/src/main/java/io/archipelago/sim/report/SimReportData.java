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
        List<String> notes) {

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
        double[] copy = requireArray(field, a);
        if (copy.length != n) {
            throw new IllegalArgumentException(field + " has " + copy.length + " values but timeHours has " + n
                    + " (one value per sample is required)");
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
