package io.archipelago.sim.econ;

import io.archipelago.core.geo.Tier;

import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The economics of one run, from a {@link Ledger}: {@link Figures} per month × site, per month ×
 * region, per month, per site, per region, and for the whole fleet.
 *
 * <p>Every map keeps a fixed order: months chronologically (labels like {@code 2026-01}), sites and
 * regions in fleet order; every region of the fleet is listed, including regions without sites (all
 * zero). The aggregates are sums of {@link Figures}, always in the same order: a month × site is the
 * sum of the site's pools, a month × region the sum of its sites, a month the sum of the regions; a
 * site's, region's and the fleet's totals are the sums over the months (so those equal the sum of
 * the monthly figures exactly; sums across the other dimension agree up to floating-point rounding).
 *
 * @param start           the calendar day at simulated time 0
 * @param endMs           simulated time at which the ledger was closed, ms
 * @param months          month labels ({@code yyyy-MM}), from the month of {@code start} to the month of the last
 *                        simulated millisecond
 * @param regionOfSite    site name → region id, fleet order
 * @param byMonthAndSite  month → site → figures
 * @param byMonthAndRegion month → region → figures
 * @param byMonth         month → figures of the fleet
 * @param bySite          site → figures over the run
 * @param byRegion        region → figures over the run
 * @param total           the fleet over the run
 * @param byMonthAndPool  month → pool ({@code site/pool}) → figures
 */
public record LedgerResult(LocalDate start, long endMs, List<String> months, Map<String, String> regionOfSite,
                           Map<String, Map<String, Figures>> byMonthAndSite,
                           Map<String, Map<String, Figures>> byMonthAndRegion, Map<String, Figures> byMonth,
                           Map<String, Figures> bySite, Map<String, Figures> byRegion, Figures total,
                           Map<String, Map<String, Figures>> byMonthAndPool) {

    public LedgerResult {
        Objects.requireNonNull(start, "start");
        months = List.copyOf(months);
        regionOfSite = ordered(regionOfSite);
        byMonthAndSite = nested(byMonthAndSite);
        byMonthAndRegion = nested(byMonthAndRegion);
        byMonth = ordered(byMonth);
        bySite = ordered(bySite);
        byRegion = ordered(byRegion);
        Objects.requireNonNull(total, "total");
        byMonthAndPool = nested(byMonthAndPool);
    }

    /** The figures of pool {@code site/pool} in month {@code month} ({@code YYYY-MM}), or zero when absent. */
    public Figures pool(String month, String sitePool) {
        Map<String, Figures> m = byMonthAndPool.get(month);
        return m == null ? Figures.ZERO : m.getOrDefault(sitePool, Figures.ZERO);
    }

    /** Region ids, fleet order (including regions without sites). */
    public List<String> regions() {
        return List.copyOf(byRegion.keySet());
    }

    /** Site names, fleet order. */
    public List<String> sites() {
        return List.copyOf(bySite.keySet());
    }

    /**
     * Where the months lie in simulated time: element {@code i} is the ms at which month {@code i} begins (0 for the
     * first), the last element is {@link #endMs()}; {@code months().size() + 1} values.
     */
    public long[] monthBoundsMs() {
        long[] b = new long[months.size() + 1];
        long startMs = start.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
        YearMonth first = YearMonth.from(start);
        for (int i = 1; i < months.size(); i++) {
            b[i] = first.plusMonths(i).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli() - startMs;
        }
        b[months.size()] = endMs;
        return b;
    }

    /** True when region {@code id} has at least one site. */
    public boolean hasSites(String regionId) {
        return regionOfSite.containsValue(regionId);
    }

    /** Figures of site {@code name} over the run; fails naming the sites for an unknown one. */
    public Figures site(String name) {
        return get(bySite, name, "site");
    }

    /** Figures of region {@code id} over the run; fails naming the regions for an unknown one. */
    public Figures region(String id) {
        return get(byRegion, id, "region");
    }

    /** Figures of region {@code id} in month {@code month} ({@code yyyy-MM}). */
    public Figures region(String month, String id) {
        return get(get(byMonthAndRegion, month, "month"), id, "region");
    }

    /** Figures of site {@code name} in month {@code month} ({@code yyyy-MM}). */
    public Figures site(String month, String name) {
        return get(get(byMonthAndSite, month, "month"), name, "site");
    }

    private static <V> V get(Map<String, V> m, String key, String what) {
        V v = m.get(key);
        if (v == null) {
            throw new IllegalArgumentException("no " + what + " '" + key + "' in the ledger; expected one of " + m.keySet());
        }
        return v;
    }

    private static <V> Map<String, V> ordered(Map<String, V> m) {
        LinkedHashMap<String, V> c = new LinkedHashMap<>();
        for (Map.Entry<String, V> e : m.entrySet()) {
            c.put(Objects.requireNonNull(e.getKey(), "key"), Objects.requireNonNull(e.getValue(), "value of " + e.getKey()));
        }
        return Collections.unmodifiableMap(c);
    }

    private static Map<String, Map<String, Figures>> nested(Map<String, Map<String, Figures>> m) {
        LinkedHashMap<String, Map<String, Figures>> c = new LinkedHashMap<>();
        for (Map.Entry<String, Map<String, Figures>> e : m.entrySet()) {
            c.put(Objects.requireNonNull(e.getKey(), "key"), ordered(e.getValue()));
        }
        return Collections.unmodifiableMap(c);
    }

    /**
     * Hours and money of one slice of the fleet and of time. All values are ≥ 0.
     *
     * @param gpuHoursInstalled   GPUs of open sites × hours (a site is open from its opening day on)
     * @param gpuHoursUp          GPUs of nodes that are up × hours
     * @param gpuHoursOnDemand    allocated GPU-hours sold on demand
     * @param gpuHoursSpot        allocated GPU-hours sold as spot
     * @param gpuHoursReserved    allocated GPU-hours sold under a reservation
     * @param revenueOnDemandUsd  revenue of the on-demand GPU-hours
     * @param revenueSpotUsd      revenue of the spot GPU-hours
     * @param revenueReservedUsd  revenue of the reserved GPU-hours
     * @param depreciationUsd     server depreciation
     * @param facilityUsd         facility amortisation
     * @param energyUsd           energy bill
     */
    public record Figures(double gpuHoursInstalled, double gpuHoursUp, double gpuHoursOnDemand, double gpuHoursSpot,
                          double gpuHoursReserved, double revenueOnDemandUsd, double revenueSpotUsd, double revenueReservedUsd,
                          double depreciationUsd, double facilityUsd, double energyUsd) {

        /** All zero. */
        public static final Figures ZERO = new Figures(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

        /** The field-by-field sum. */
        public Figures plus(Figures o) {
            return new Figures(gpuHoursInstalled + o.gpuHoursInstalled, gpuHoursUp + o.gpuHoursUp,
                    gpuHoursOnDemand + o.gpuHoursOnDemand, gpuHoursSpot + o.gpuHoursSpot, gpuHoursReserved + o.gpuHoursReserved,
                    revenueOnDemandUsd + o.revenueOnDemandUsd, revenueSpotUsd + o.revenueSpotUsd,
                    revenueReservedUsd + o.revenueReservedUsd, depreciationUsd + o.depreciationUsd, facilityUsd + o.facilityUsd,
                    energyUsd + o.energyUsd);
        }

        /** Allocated GPU-hours under {@code tier}. */
        public double gpuHoursAllocated(Tier tier) {
            return switch (tier) {
                case ON_DEMAND -> gpuHoursOnDemand;
                case SPOT -> gpuHoursSpot;
                case RESERVED -> gpuHoursReserved;
            };
        }

        /** Allocated GPU-hours, all tiers. */
        public double gpuHoursAllocated() {
            return gpuHoursOnDemand + gpuHoursSpot + gpuHoursReserved;
        }

        /** Allocated / installed GPU-hours (0..1 when the caller kept allocations within capacity), NaN with nothing installed. */
        public double utilisation() {
            return gpuHoursInstalled > 0 ? gpuHoursAllocated() / gpuHoursInstalled : Double.NaN;
        }

        /** Revenue under {@code tier}, USD. */
        public double revenueUsd(Tier tier) {
            return switch (tier) {
                case ON_DEMAND -> revenueOnDemandUsd;
                case SPOT -> revenueSpotUsd;
                case RESERVED -> revenueReservedUsd;
            };
        }

        /** Revenue, all tiers, USD. */
        public double revenueUsd() {
            return revenueOnDemandUsd + revenueSpotUsd + revenueReservedUsd;
        }

        /** Depreciation + facility + energy, USD. */
        public double costUsd() {
            return depreciationUsd + facilityUsd + energyUsd;
        }

        /** Revenue − cost, USD. */
        public double marginUsd() {
            return revenueUsd() - costUsd();
        }

        /** Margin as a percentage of revenue; NaN without revenue. */
        public double marginPct() {
            double r = revenueUsd();
            return r > 0 ? 100.0 * marginUsd() / r : Double.NaN;
        }
    }
}
