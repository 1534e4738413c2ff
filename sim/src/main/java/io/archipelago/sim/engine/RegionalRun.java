package io.archipelago.sim.engine;

import io.archipelago.core.framework.Scheduler;
import io.archipelago.core.geo.PlacementRules;
import io.archipelago.core.geo.Region;
import io.archipelago.core.geo.RegionalFleet;
import io.archipelago.core.geo.SiteReason;
import io.archipelago.core.geo.SiteWeights;
import io.archipelago.core.geo.TwoLevelPlacer;
import io.archipelago.core.model.TaskSpec;
import io.archipelago.sim.econ.Ledger;
import io.archipelago.sim.econ.LedgerResult;

import java.time.LocalDate;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;

/**
 * The multi-region part of a {@link Simulation}: two-level placement, the economics ledger, and the
 * books of {@link RegionalStats}. The simulation calls it at every arrival, bind, unbind, start,
 * eviction, rejection and node state change; it never decides anything about the queue.
 *
 * <p>Rule breaches are counted by {@link #breach}, which re-derives jurisdiction, region and round
 * trip from the fleet for every bind instead of trusting the placer's precomputed site lists.
 */
final class RegionalRun {
    /** Settings of a run on a multi-region fleet. */
    record Settings(SiteWeights weights, LocalDate start, long sloWaitMs) {
        static final Settings DEFAULT = new Settings(SiteWeights.DEFAULT, LocalDate.of(2026, 1, 1), 60_000);

        Settings {
            if (sloWaitMs < 0) {
                throw new IllegalArgumentException("SLO wait " + sloWaitMs + " ms; expected >= 0");
            }
        }
    }

    final RegionalFleet geo;
    final RegionalFleet.Layout layout;
    final TwoLevelPlacer placer;
    private final Ledger ledger;
    private final Workload w;
    private final Settings settings;
    /** Placer rule id per workload rule index. */
    private final int[] ruleId;
    /** [workload rule index][site] whether the rules allow the site (from the placer). */
    private final boolean[][] allowed;
    private final int[] originOfRule;
    private final int[] siteOfNode;
    private final int[] poolOfNode;

    long residencyViolations;
    long latencyViolations;
    long unplaceable;
    private final long[] jobsByOrigin;
    private final long[] sloJobsByOrigin;
    private final double[] gpuMilliMsByOrigin;
    private final long[] startsBySite;
    private final long[][] failover;
    private final long[] failoverRejected;
    private final LongList[] failoverWaits;
    private final int[] failedFrom;
    private final long[] readyAt;
    private final BitSet sloMissed = new BitSet();
    final long[] regionUsedMilli;

    RegionalRun(RegionalFleet geo, Workload w, Scheduler scheduler, Settings settings) {
        this.geo = geo;
        this.w = w;
        this.settings = settings;
        this.layout = geo.layout();
        this.placer = new TwoLevelPlacer(scheduler, geo, layout, settings.weights());
        this.ledger = new Ledger(geo, settings.start());
        this.siteOfNode = layout.siteOfNode();
        this.poolOfNode = layout.poolOfNode();
        List<PlacementRules> rl = w.rulesList();
        int sites = geo.sites().size();
        ruleId = new int[rl.size()];
        allowed = new boolean[rl.size()][sites];
        originOfRule = new int[rl.size()];
        for (int k = 0; k < rl.size(); k++) {
            ruleId[k] = placer.rules(rl.get(k));
            for (int s : placer.eligibleSites(ruleId[k])) {
                allowed[k][s] = true;
            }
            originOfRule[k] = rl.get(k).origin() == null ? -1 : geo.regionIndex(rl.get(k).origin());
        }
        int regions = geo.regions().size();
        jobsByOrigin = new long[regions];
        sloJobsByOrigin = new long[regions];
        gpuMilliMsByOrigin = new double[regions];
        regionUsedMilli = new long[regions];
        startsBySite = new long[sites];
        failover = new long[sites][sites];
        failoverRejected = new long[sites];
        failoverWaits = new LongList[sites];
        for (int s = 0; s < sites; s++) {
            failoverWaits[s] = new LongList();
        }
        failedFrom = new int[w.jobs()];
        Arrays.fill(failedFrom, -1);
        readyAt = new long[w.jobs()];
        holdScratch = new boolean[sites];
    }

    /** Number of workload rule sets (for keying per-(shape, rules) caches). */
    int ruleCount() {
        return ruleId.length;
    }

    /**
     * Sites held, during one scheduling pass, for blocked jobs ahead in the queue; jobs further back
     * may not start there. Null when nothing is held.
     */
    boolean[] held;
    /** Reused as {@link #held} by every scheduling pass (one flag per site). */
    final boolean[] holdScratch;

    /** Whether job {@code j}'s rules allow node {@code node}'s site (and the site is not {@linkplain #held held}). */
    boolean allows(int j, int node) {
        int s = siteOfNode[node];
        return allowed[w.rulesIndex(j)][s] && (held == null || !held[s]);
    }

    /** Whether job {@code j}'s rules allow node {@code node}'s site, held or not. */
    boolean allowsIgnoringHolds(int j, int node) {
        return allowed[w.rulesIndex(j)][siteOfNode[node]];
    }

    /** Places the single task of job {@code j} (two-level, avoiding held sites); the node, or -1. */
    int place(int j, TaskSpec spec, int shape) {
        return placer.place(spec, shape, ruleId[w.rulesIndex(j)], w.tier(j), held);
    }

    /** Whether some site job {@code j}'s rules allow is not held. */
    boolean hasFreeSite(int j) {
        for (int s : placer.eligibleSites(ruleId[w.rulesIndex(j)])) {
            if (!held[s]) {
                return true;
            }
        }
        return false;
    }

    /** Holds every site job {@code j}'s rules allow; returns how many sites are still not held. */
    int hold(int j) {
        for (int s : placer.eligibleSites(ruleId[w.rulesIndex(j)])) {
            held[s] = true;
        }
        int free = 0;
        for (boolean h : held) {
            free += h ? 0 : 1;
        }
        return free;
    }

    int siteOf(int node) {
        return siteOfNode[node];
    }

    void arrived(int j, long now, boolean measured) {
        readyAt[j] = now;
        int o = originOfRule[w.rulesIndex(j)];
        if (o >= 0 && measured) {
            jobsByOrigin[o]++;
            if (w.rules(j).hasSlo()) {
                sloJobsByOrigin[o]++;
            }
        }
    }

    /** A worker of job {@code j} was bound on {@code node}: checks the rules from scratch, books the ledger. */
    void bound(int j, int node, long now) {
        String breach = breach(w.rules(j), siteOfNode[node]);
        if (breach != null) {
            if (breach.startsWith("latency")) {
                latencyViolations++;
            } else {
                residencyViolations++;
            }
        }
        long milli = w.spec(j).gpuDemandMilli();
        ledger.allocated(poolOfNode[node], w.tier(j), milli, now);
        regionUsedMilli[geo.regionOfSite(siteOfNode[node])] += milli;
    }

    void unbound(int j, int node, long now) {
        long milli = w.spec(j).gpuDemandMilli();
        ledger.allocated(poolOfNode[node], w.tier(j), -milli, now);
        regionUsedMilli[geo.regionOfSite(siteOfNode[node])] -= milli;
    }

    /**
     * What rule of {@code r} site {@code site} breaks ("residency: ...", "latency: ..."), or null.
     * Independent of the placer: reads the region, jurisdiction and round trip from the fleet.
     */
    String breach(PlacementRules r, int site) {
        int reg = geo.regionOfSite(site);
        Region region = geo.regions().get(reg);
        if (!r.jurisdictions().isEmpty() && !r.jurisdictions().contains(region.jurisdiction())) {
            return "residency: jurisdiction " + region.jurisdiction() + " not in " + r.jurisdictions();
        }
        if (!r.regions().isEmpty() && !r.regions().contains(region.id())) {
            return "residency: region " + region.id() + " not in " + r.regions();
        }
        if (r.hasSlo()) {
            int o = geo.regionIndex(r.origin());
            int rtt = geo.rttMs(o, reg);
            if (rtt > r.latencySloMs()) {
                return "latency: RTT " + rtt + " ms from " + r.origin() + " to " + region.id() + " > SLO " + r.latencySloMs() + " ms";
            }
        }
        return null;
    }

    /** Job {@code j} started with its first worker on {@code node}. */
    void started(int j, int node, long now) {
        int site = siteOfNode[node];
        startsBySite[site]++;
        if (w.rules(j).hasSlo() && now - readyAt[j] > settings.sloWaitMs()) {
            sloMissed.set(j);
        }
        if (failedFrom[j] >= 0) {
            failover[failedFrom[j]][site]++;
            failoverWaits[failedFrom[j]].add(now - readyAt[j]);
            failedFrom[j] = -1;
        }
    }

    /** Job {@code j}, which ran since {@code startedAt} on a node of {@code site}, was released (finished or evicted). */
    void ran(int j, long startedAt, long now) {
        int o = originOfRule[w.rulesIndex(j)];
        if (o >= 0) {
            gpuMilliMsByOrigin[o] += (double) (now - startedAt) * w.size(j) * w.spec(j).gpuDemandMilli();
        }
    }

    /** Job {@code j} was evicted from {@code site} and requeued (by an outage when {@code outage}). */
    void evicted(int j, int site, boolean outage, long now) {
        readyAt[j] = now;
        if (outage) {
            failedFrom[j] = site;
        }
    }

    /** Job {@code j} was rejected: on arrival ({@code unplaceable} when its rules leave no site that could hold it) or by timeout. */
    void rejected(int j, boolean unplaceableOnArrival) {
        if (unplaceableOnArrival) {
            unplaceable++;
        }
        if (w.rules(j).hasSlo()) {
            sloMissed.set(j);
        }
        if (failedFrom[j] >= 0) {
            failoverRejected[failedFrom[j]]++;
            failedFrom[j] = -1;
        }
    }

    void nodeUp(int node, boolean up, long now) {
        ledger.nodesUp(poolOfNode[node], up ? 1 : -1, now);
    }

    /** The books at the end: {@code queued} tells which jobs are still waiting, {@code running} which run (and since when). */
    RegionalStats stats(long end, java.util.function.IntPredicate queued, java.util.function.IntPredicate running, long[] start,
                        long measureFrom) {
        int sites = geo.sites().size();
        int regions = geo.regions().size();
        long[] waiting = new long[sites];
        long[] sloMet = new long[regions];
        double[] gpuMilliMs = gpuMilliMsByOrigin.clone();
        for (int j = 0; j < w.jobs(); j++) {
            int o = originOfRule[w.rulesIndex(j)];
            if (queued.test(j)) {
                if (failedFrom[j] >= 0) {
                    waiting[failedFrom[j]]++;
                }
                if (w.rules(j).hasSlo()) {
                    sloMissed.set(j);
                }
            }
            if (running.test(j) && o >= 0) {
                gpuMilliMs[o] += (double) (end - start[j]) * w.size(j) * w.spec(j).gpuDemandMilli();
            }
        }
        for (int j = 0; j < w.jobs(); j++) {
            int o = originOfRule[w.rulesIndex(j)];
            // jobs that never arrived (beyond the horizon) are not counted: arrived() was not called for them
            if (o >= 0 && w.rules(j).hasSlo() && w.arrival(j) <= end && w.arrival(j) >= measureFrom && !sloMissed.get(j)) {
                sloMet[o]++;
            }
        }
        double[] gpuHours = new double[regions];
        for (int r = 0; r < regions; r++) {
            gpuHours[r] = gpuMilliMs[r] / 1000.0 / 3_600_000.0;
        }
        double[] p95 = new double[sites];
        long[][] fo = new long[sites][];
        for (int s = 0; s < sites; s++) {
            long[] ws = failoverWaits[s].toArray();
            Arrays.sort(ws);
            p95[s] = SimResult.nearestRank(ws, 95);
            fo[s] = failover[s].clone();
        }
        int[] regionOfSite = new int[sites];
        for (int s = 0; s < sites; s++) {
            regionOfSite[s] = geo.regionOfSite(s);
        }
        return new RegionalStats(geo.regions().stream().map(Region::id).toList(),
                geo.sites().stream().map(io.archipelago.core.geo.Site::name).toList(), regionOfSite, residencyViolations,
                latencyViolations, settings.sloWaitMs(), jobsByOrigin.clone(), sloJobsByOrigin.clone(), sloMet, gpuHours,
                startsBySite.clone(), fo, waiting, failoverRejected.clone(), p95, unplaceable);
    }

    LedgerResult closeLedger(long end) {
        return ledger.close(end);
    }

    /** For the invariant check: a running task on {@code node} for job {@code j} must be in an allowed site. */
    void checkPlacement(int j, int node) {
        String b = breach(w.rules(j), siteOfNode[node]);
        if (b != null) {
            throw new IllegalStateException("job " + w.jobName(j) + " (" + w.rules(j).describe() + ") runs on "
                    + layout.nodes().get(node).name() + " in " + geo.sites().get(siteOfNode[node]).name() + ": " + b);
        }
        if (!allowsIgnoringHolds(j, node) || placer.fleet().check(w.rules(j), siteOfNode[node]) != SiteReason.ELIGIBLE) {
            throw new IllegalStateException("job " + w.jobName(j) + " runs in a site its rules do not list as eligible");
        }
        if (residencyViolations != 0 || latencyViolations != 0) {
            throw new IllegalStateException(residencyViolations + " residency and " + latencyViolations + " latency violations so far");
        }
    }
}
