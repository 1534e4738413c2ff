package io.archipelago.sim.econ;

import io.archipelago.core.geo.Finance;
import io.archipelago.core.geo.NodePool;
import io.archipelago.core.geo.Price;
import io.archipelago.core.geo.RegionalFleet;
import io.archipelago.core.geo.Region;
import io.archipelago.core.geo.Site;
import io.archipelago.core.geo.Tier;

import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Accrues revenue and cost per node pool and calendar month while a simulation runs, and turns them
 * into a {@link LedgerResult} at the end.
 *
 * <p>Simulated time 0 is {@code start} at 00:00 UTC. At time 0 every node of every pool is up and no
 * GPU is allocated; the caller reports changes ({@link #allocated}, {@link #nodesUp}) as they happen,
 * with non-decreasing times, and calls {@link #close} once. Taking down the nodes of sites that have
 * not opened yet is the caller's business, like everything about availability.
 *
 * <p>How it accrues. Per pool the ledger holds the current rates (allocated milli-GPU per tier, nodes
 * up) and the time of its last change. A call first integrates the pool's piecewise-constant rates
 * from that time to now into the bucket of the calendar month, splitting the interval at month
 * boundaries, then applies the change. Integrals are exact {@code long}s (milli-GPU·ms, node·ms, ms);
 * money is derived from them only in {@link #close}, in a fixed order, so the same calls always give
 * equal results. A call is O(1) (amortised over the months) and allocates nothing, except when the
 * run enters a month no pool has reached before.
 *
 * <p>What accrues, per pool and month:
 * <ul>
 *   <li>revenue: allocated GPU-hours of each tier × the price of the pool's GPU model in its site's
 *       region for that tier ({@link Price#of(Tier)}); CPU-only pools earn nothing;</li>
 *   <li>server depreciation: {@code nodes × capex / (serverYears × 8760)} per hour, and facility
 *       amortisation: {@code nodes × peakKw × 1000 × buildUsdPerWatt / (facilityYears × 8760)} per
 *       hour, both only from the site's opening date on ({@link Site#opens()}), whether the nodes are
 *       up or not (owned capital);</li>
 *   <li>energy: {@code PUE × tariff × avgKw × (idlePowerShare × up-node-hours + (1 − idlePowerShare)
 *       × allocated GPU-hours / gpusPerNode)}; nodes that are down draw nothing (CPU-only pools draw
 *       only the idle share);</li>
 *   <li>installed GPU-hours (GPUs of the pool × hours since the site opened), GPU-hours up, and
 *       allocated GPU-hours per tier.</li>
 * </ul>
 *
 * <p>Not thread-safe. Whether allocations stay within the capacity that is up is the caller's
 * business; negative allocations, negative node counts, more nodes up than the pool has, going back
 * in time and calls after {@link #close} fail at once.
 */
public final class Ledger {
    static final double HOURS_PER_YEAR = 8760.0;
    private static final double MS_PER_HOUR = 3_600_000.0;
    private static final int TIERS = Tier.values().length;
    /** Bucket fields per pool: allocated milli-GPU·ms per tier, then up node·ms, then open ms. */
    private static final int F_UP = TIERS;
    private static final int F_OPEN = TIERS + 1;
    private static final int FIELDS = TIERS + 2;
    private static final Tier[] TIER_VALUES = Tier.values();

    private final RegionalFleet fleet;
    private final LocalDate start;
    private final YearMonth firstMonth;
    private final long startEpochMs;
    private final int poolCount;
    private final int[] nodesOf;
    private final long[] opensMs;
    /** Current allocated milli-GPU, [pool × TIERS + tier]. */
    private final long[] alloc;
    private final int[] up;
    private final long[] last;
    private final int[] monthOf;
    /** monthStart[i] = simulated ms at which month i begins (month 0 at 0); valid for i <= months. */
    private long[] monthStart = new long[16];
    /** Buckets of the months reached so far, [month][pool × FIELDS + field]. */
    private long[][] buckets = new long[16][];
    private int months;
    private long now;
    private boolean closed;

    /**
     * @param fleet the fleet; pool indices are indices into {@link RegionalFleet#pools()}
     * @param start the calendar day at simulated time 0 (00:00 UTC)
     */
    public Ledger(RegionalFleet fleet, LocalDate start) {
        this.fleet = Objects.requireNonNull(fleet, "fleet");
        this.start = Objects.requireNonNull(start, "start");
        this.firstMonth = YearMonth.from(start);
        this.startEpochMs = epochMs(start);
        List<NodePool> pools = fleet.pools();
        poolCount = pools.size();
        nodesOf = new int[poolCount];
        opensMs = new long[poolCount];
        alloc = new long[poolCount * TIERS];
        up = new int[poolCount];
        last = new long[poolCount];
        monthOf = new int[poolCount];
        for (int p = 0; p < poolCount; p++) {
            NodePool pool = pools.get(p);
            nodesOf[p] = pool.nodes();
            up[p] = pool.nodes();
            Site site = fleet.sites().get(fleet.siteIndex(pool.site()));
            opensMs[p] = Math.max(0, epochMs(site.opens()) - startEpochMs);
        }
        monthStart[0] = 0;
        addMonth(); // month 0, and the start of month 1
    }

    /**
     * The allocated milli-GPU of pool {@code pool} under {@code tier} changes by {@code milliDelta} at
     * {@code nowMs}.
     *
     * @throws IllegalArgumentException for an unknown pool or a time before the previous call's
     * @throws IllegalStateException    if the allocation would become negative, or after {@link #close}
     */
    public void allocated(int pool, Tier tier, long milliDelta, long nowMs) {
        checkPool(pool);
        advanceClock(nowMs);
        advance(pool, nowMs);
        int k = pool * TIERS + tier.ordinal();
        long v = alloc[k] + milliDelta;
        if (v < 0) {
            throw new IllegalStateException("pool " + poolName(pool) + ", tier " + tier.label() + ": allocation " + alloc[k]
                    + " milli-GPU changed by " + milliDelta + " at " + nowMs + " ms would become negative");
        }
        alloc[k] = v;
    }

    /**
     * The nodes of pool {@code pool} that are up change by {@code delta} at {@code nowMs}.
     *
     * @throws IllegalArgumentException for an unknown pool or a time before the previous call's
     * @throws IllegalStateException    if fewer than 0 or more than the pool's nodes would be up, or after {@link #close}
     */
    public void nodesUp(int pool, int delta, long nowMs) {
        checkPool(pool);
        advanceClock(nowMs);
        advance(pool, nowMs);
        long v = (long) up[pool] + delta;
        if (v < 0 || v > nodesOf[pool]) {
            throw new IllegalStateException("pool " + poolName(pool) + ": " + up[pool] + " nodes up changed by " + delta + " at "
                    + nowMs + " ms gives " + v + "; expected 0.." + nodesOf[pool]);
        }
        up[pool] = (int) v;
    }

    /**
     * Integrates every pool to {@code endMs} and returns the result. Call once; the ledger accepts no
     * call afterwards.
     */
    public LedgerResult close(long endMs) {
        advanceClock(endMs);
        for (int p = 0; p < poolCount; p++) {
            advance(p, endMs);
        }
        closed = true;
        return result(endMs);
    }

    // ------------------------------------------------------------------------------------------------ accrual

    private void checkPool(int pool) {
        if (pool < 0 || pool >= poolCount) {
            throw new IllegalArgumentException("pool index " + pool + "; expected 0.." + (poolCount - 1));
        }
    }

    private void advanceClock(long t) {
        if (closed) {
            throw new IllegalStateException("the ledger is closed");
        }
        if (t < now) {
            throw new IllegalArgumentException("time " + t + " ms is before the previous call's " + now + " ms; times must not decrease");
        }
        now = t;
    }

    /** Integrates pool {@code p} from its last change to {@code t}, month by month. */
    private void advance(int p, long t) {
        long a = last[p];
        if (t == a) {
            return;
        }
        int m = monthOf[p];
        long end = monthStart[m + 1];
        while (t > end) {
            accrue(p, buckets[m], a, end);
            a = end;
            m++;
            if (m == months) {
                addMonth();
            }
            end = monthStart[m + 1];
        }
        accrue(p, buckets[m], a, t);
        last[p] = t;
        monthOf[p] = m;
    }

    private void accrue(int p, long[] bucket, long a, long b) {
        long dt = b - a;
        if (dt == 0) {
            return;
        }
        int base = p * FIELDS;
        int k = p * TIERS;
        for (int i = 0; i < TIERS; i++) {
            long v = alloc[k + i];
            if (v != 0) {
                bucket[base + i] = Math.addExact(bucket[base + i], Math.multiplyExact(v, dt));
            }
        }
        bucket[base + F_UP] += up[p] * dt; // at most 2^31 nodes × one month of ms: no overflow
        long o = opensMs[p];
        if (b > o) {
            bucket[base + F_OPEN] += b - Math.max(a, o);
        }
    }

    /** Opens the bucket of month {@code months} and computes the start of the month after it. */
    private void addMonth() {
        if (months == buckets.length) {
            buckets = Arrays.copyOf(buckets, months * 2);
        }
        if (months + 2 > monthStart.length) {
            monthStart = Arrays.copyOf(monthStart, monthStart.length * 2);
        }
        buckets[months] = new long[poolCount * FIELDS];
        monthStart[months + 1] = epochMs(firstMonth.plusMonths(months + 1).atDay(1)) - startEpochMs;
        months++;
    }

    private static long epochMs(LocalDate d) {
        return d.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
    }

    private String poolName(int p) {
        NodePool pool = fleet.pools().get(p);
        return pool.site() + "/" + pool.name();
    }

    // ------------------------------------------------------------------------------------------------ result

    private LedgerResult result(long endMs) {
        List<NodePool> pools = fleet.pools();
        List<Site> sites = fleet.sites();
        List<Region> regions = fleet.regions();
        Finance fin = fleet.finance();
        int[] siteOfPool = new int[poolCount];
        Price[] price = new Price[poolCount];
        for (int p = 0; p < poolCount; p++) {
            NodePool pool = pools.get(p);
            siteOfPool[p] = fleet.siteIndex(pool.site());
            String region = sites.get(siteOfPool[p]).region();
            price[p] = pool.gpuModel().isEmpty() ? null : fleet.price(pool.gpuModel(), region);
        }
        List<String> monthLabels = new ArrayList<>();
        Map<String, Map<String, LedgerResult.Figures>> byMonthSite = new LinkedHashMap<>();
        Map<String, Map<String, LedgerResult.Figures>> byMonthRegion = new LinkedHashMap<>();
        Map<String, Map<String, LedgerResult.Figures>> byMonthPool = new LinkedHashMap<>();
        Map<String, LedgerResult.Figures> byMonth = new LinkedHashMap<>();
        Map<String, LedgerResult.Figures> bySite = new LinkedHashMap<>();
        Map<String, LedgerResult.Figures> byRegion = new LinkedHashMap<>();
        Map<String, String> regionOfSite = new LinkedHashMap<>();
        for (Site s : sites) {
            bySite.put(s.name(), LedgerResult.Figures.ZERO);
            regionOfSite.put(s.name(), s.region());
        }
        for (Region r : regions) {
            byRegion.put(r.id(), LedgerResult.Figures.ZERO);
        }
        LedgerResult.Figures total = LedgerResult.Figures.ZERO;
        for (int m = 0; m < months; m++) {
            String label = firstMonth.plusMonths(m).toString();
            monthLabels.add(label);
            LedgerResult.Figures[] siteFigures = new LedgerResult.Figures[sites.size()];
            Arrays.fill(siteFigures, LedgerResult.Figures.ZERO);
            Map<String, LedgerResult.Figures> mp = new LinkedHashMap<>();
            byMonthPool.put(label, mp);
            for (int p = 0; p < poolCount; p++) {
                LedgerResult.Figures f = figures(pools.get(p), sites.get(siteOfPool[p]), price[p], fin, buckets[m], p);
                mp.put(pools.get(p).site() + "/" + pools.get(p).name(), f);
                siteFigures[siteOfPool[p]] = siteFigures[siteOfPool[p]].plus(f);
            }
            Map<String, LedgerResult.Figures> ms = new LinkedHashMap<>();
            for (int s = 0; s < sites.size(); s++) {
                ms.put(sites.get(s).name(), siteFigures[s]);
                bySite.merge(sites.get(s).name(), siteFigures[s], LedgerResult.Figures::plus);
            }
            Map<String, LedgerResult.Figures> mr = new LinkedHashMap<>();
            LedgerResult.Figures month = LedgerResult.Figures.ZERO;
            for (int r = 0; r < regions.size(); r++) {
                LedgerResult.Figures f = LedgerResult.Figures.ZERO;
                for (int s = 0; s < sites.size(); s++) {
                    if (fleet.regionOfSite(s) == r) {
                        f = f.plus(siteFigures[s]);
                    }
                }
                mr.put(regions.get(r).id(), f);
                byRegion.merge(regions.get(r).id(), f, LedgerResult.Figures::plus);
                month = month.plus(f);
            }
            byMonthSite.put(label, ms);
            byMonthRegion.put(label, mr);
            byMonth.put(label, month);
            total = total.plus(month);
        }
        return new LedgerResult(start, endMs, monthLabels, regionOfSite, byMonthSite, byMonthRegion, byMonth, bySite, byRegion, total, byMonthPool);
    }

    /**
     * The rates of pool {@code pool} at one instant, as the figures of one hour at those rates (so every
     * money field is USD per hour and every GPU-hour field is GPUs): revenue of {@code allocMilliByTier}
     * milli-GPU allocated per tier ({@link Tier} order), and the cost of the pool with {@code nodesUp} of its
     * nodes up, by the same formulas the ledger accrues with. {@code open} says whether the site has opened
     * (owned capital costs from then on). Used by the control plane for its live margin.
     *
     * @throws IllegalArgumentException for an unknown pool, a negative allocation, or nodes up outside 0..nodes
     */
    public static LedgerResult.Figures hourly(RegionalFleet fleet, int pool, long[] allocMilliByTier, int nodesUp, boolean open) {
        if (pool < 0 || pool >= fleet.pools().size()) {
            throw new IllegalArgumentException("pool " + pool + ": expected 0.." + (fleet.pools().size() - 1));
        }
        NodePool np = fleet.pools().get(pool);
        if (allocMilliByTier.length != TIERS || nodesUp < 0 || nodesUp > np.nodes()) {
            throw new IllegalArgumentException("pool " + np.site() + "/" + np.name() + ": " + allocMilliByTier.length + " tiers, " + nodesUp
                    + " nodes up; expected " + TIERS + " tiers and 0.." + np.nodes() + " nodes up");
        }
        long hour = (long) MS_PER_HOUR;
        long[] bucket = new long[FIELDS];
        for (int t = 0; t < TIERS; t++) {
            if (allocMilliByTier[t] < 0) {
                throw new IllegalArgumentException("pool " + np.site() + "/" + np.name() + ": " + allocMilliByTier[t] + " milli-GPU allocated to "
                        + TIER_VALUES[t] + "; expected >= 0");
            }
            bucket[t] = allocMilliByTier[t] * hour;
        }
        bucket[F_UP] = nodesUp * hour;
        bucket[F_OPEN] = open ? hour : 0;
        Site site = fleet.sites().get(fleet.siteIndex(np.site()));
        Price price = np.gpuModel().isEmpty() ? null : fleet.price(np.gpuModel(), site.region());
        return figures(np, site, price, fleet.finance(), bucket, 0);
    }

    private static LedgerResult.Figures figures(NodePool pool, Site site, Price price, Finance fin, long[] bucket, int p) {
        int base = p * FIELDS;
        double[] gpuHours = new double[TIERS];
        double allocGpuHours = 0;
        double[] revenue = new double[TIERS];
        for (int i = 0; i < TIERS; i++) {
            gpuHours[i] = bucket[base + i] / 1000.0 / MS_PER_HOUR;
            allocGpuHours += gpuHours[i];
            revenue[i] = price == null ? 0 : gpuHours[i] * price.of(TIER_VALUES[i]);
        }
        double upNodeHours = bucket[base + F_UP] / MS_PER_HOUR;
        double openNodeHours = pool.nodes() * (bucket[base + F_OPEN] / MS_PER_HOUR);
        int g = pool.gpusPerNode();
        double depreciation = openNodeHours * pool.capexUsd() / (fin.serverYears() * HOURS_PER_YEAR);
        double facility = openNodeHours * pool.peakKw() * 1000.0 * site.buildUsdPerWatt() / (fin.facilityYears() * HOURS_PER_YEAR);
        double idle = fin.idlePowerShare();
        double busyNodeHours = g == 0 ? 0 : allocGpuHours / g;
        double energy = site.pue() * site.tariffUsdPerKwh() * pool.avgKw() * (idle * upNodeHours + (1 - idle) * busyNodeHours);
        return new LedgerResult.Figures(openNodeHours * g, upNodeHours * g, gpuHours[0], gpuHours[1], gpuHours[2],
                revenue[0], revenue[1], revenue[2], depreciation, facility, energy);
    }
}
