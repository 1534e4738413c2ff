package io.archipelago.core.geo;

import io.archipelago.core.cluster.ClusterState;
import io.archipelago.core.framework.Filters;
import io.archipelago.core.framework.Reason;
import io.archipelago.core.framework.Scheduler;
import io.archipelago.core.model.GpuModels;
import io.archipelago.core.model.TaskSpec;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Two-level placement on a {@link RegionalFleet}: first the site, then the node and GPUs.
 *
 * <h2>Design note</h2>
 * <ol>
 *   <li><b>Site filter.</b> A job's {@link PlacementRules} (residency, latency SLO to its origin) are
 *   checked against every site once, when the rules are {@linkplain #rules(PlacementRules) interned};
 *   the result is a list of eligible sites per rule set. Nothing on the hot path re-checks them, and
 *   nothing can place a job outside that list: every node this class returns lies in an eligible site.</li>
 *   <li><b>Node level, per site.</b> The node policy (the {@link Scheduler}'s profile, e.g. FGD) is run
 *   once over the whole cluster ({@link Scheduler#prepare}); because a fleet's sites are contiguous node
 *   ranges ({@link RegionalFleet#layout()}), the best node of each eligible site is then a range query
 *   ({@link Scheduler#bestIn}), O(log N) on the indexed path. A site with no feasible node drops out.</li>
 *   <li><b>Site score.</b> Each remaining site is scored by {@link SiteWeights}: the best node's
 *   normalised policy score (fragmentation impact, for FGD), the list price for the job's tier and the
 *   energy cost of that node's pool, the site's free GPU share and closeness to the job's origin; each
 *   in [0, 100], precomputed per pool, rule set and site, so a decision is integer arithmetic. The
 *   highest total wins, ties to the site listed first.</li>
 * </ol>
 * The site's free GPU capacity is kept incrementally from the cluster's change notifications. A
 * decision allocates nothing. {@link #explain} tells, per site, at which level and why it was
 * rejected, or how it scored.
 *
 * <p>Not thread-safe; one per {@link Scheduler}.
 */
public final class TwoLevelPlacer {
    private final Scheduler scheduler;
    private final ClusterState state;
    private final RegionalFleet fleet;
    private final RegionalFleet.Layout layout;
    private final SiteWeights weights;
    private final int sites;
    private final int maxTotal;
    private final int[] poolOfNode;
    /** [tier][pool] price score, 0..100. */
    private final int[][] priceScore;
    private final int[] energyScore;
    private final long[] nodeFree;
    private final long[] siteFree;
    private final long[] siteCap;
    private final int maxRtt;
    private final List<PlacementRules> rules = new ArrayList<>();
    private final Map<PlacementRules, Integer> ruleIds = new java.util.HashMap<>();
    private final List<int[]> eligible = new ArrayList<>();
    private final List<SiteReason[]> siteReasons = new ArrayList<>();
    private final List<int[]> latencyScore = new ArrayList<>();
    private int lastSite = -1;
    private int lastCandidates;
    private int runnerUpSite = -1;
    private long lastTotal = Long.MIN_VALUE;
    private long runnerUpTotal = Long.MIN_VALUE;

    /**
     * @param scheduler the node-level scheduler, over the nodes of {@code layout} in that order
     * @param layout    {@code fleet.layout()} (or a layout with the same site ranges)
     */
    public TwoLevelPlacer(Scheduler scheduler, RegionalFleet fleet, RegionalFleet.Layout layout, SiteWeights weights) {
        this.scheduler = scheduler;
        this.state = scheduler.state();
        this.fleet = fleet;
        this.layout = layout;
        this.weights = weights;
        this.sites = fleet.sites().size();
        if (state.nodeCount() != layout.nodes().size()) {
            throw new IllegalArgumentException("the scheduler has " + state.nodeCount() + " nodes but fleet " + fleet.name()
                    + " lays out " + layout.nodes().size());
        }
        this.maxTotal = Math.max(1, scheduler.maxTotal());
        this.poolOfNode = layout.poolOfNode();
        List<NodePool> pools = fleet.pools();
        priceScore = new int[Tier.values().length][pools.size()];
        for (Tier t : Tier.values()) {
            double[] v = new double[pools.size()];
            for (int p = 0; p < pools.size(); p++) {
                NodePool pool = pools.get(p);
                v[p] = pool.gpuModel().isEmpty() ? Double.NaN
                        : fleet.price(pool.gpuModel(), fleet.sites().get(fleet.siteIndex(pool.site())).region()).of(t);
            }
            priceScore[t.ordinal()] = cheapestHighest(v);
        }
        double[] e = new double[pools.size()];
        for (int p = 0; p < pools.size(); p++) {
            NodePool pool = pools.get(p);
            Site s = fleet.sites().get(fleet.siteIndex(pool.site()));
            e[p] = pool.avgKw() * s.pue() * s.tariffUsdPerKwh() / Math.max(1, pool.gpusPerNode());
        }
        energyScore = cheapestHighest(e);
        int m = 1;
        int r = fleet.regions().size();
        for (int a = 0; a < r; a++) {
            for (int b = 0; b < r; b++) {
                m = Math.max(m, fleet.rttMs(a, b));
            }
        }
        maxRtt = m;
        nodeFree = new long[state.nodeCount()];
        siteFree = new long[sites];
        siteCap = new long[sites];
        for (int i = 0; i < state.nodeCount(); i++) {
            int s = layout.siteOfNode()[i];
            siteCap[s] += (long) state.gpuCount(i) * ClusterState.GPU_MILLI;
            nodeFree[i] = state.isUp(i) ? state.gpuFreeTotal(i) : 0;
            siteFree[s] += nodeFree[i];
        }
        state.addListener(this::nodeChanged);
        rules(PlacementRules.ANYWHERE);
    }

    /** 100 for the lowest value, 0 for the highest, linear between; NaN (no GPU) scores 100. */
    private static int[] cheapestHighest(double[] v) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (double x : v) {
            if (!Double.isNaN(x)) {
                lo = Math.min(lo, x);
                hi = Math.max(hi, x);
            }
        }
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = Double.isNaN(v[i]) || !(hi > lo) ? 100 : (int) Math.round(100 * (hi - v[i]) / (hi - lo));
        }
        return out;
    }

    private void nodeChanged(int node) {
        long f = state.isUp(node) ? state.gpuFreeTotal(node) : 0;
        siteFree[layout.siteOfNode()[node]] += f - nodeFree[node];
        nodeFree[node] = f;
    }

    public RegionalFleet fleet() {
        return fleet;
    }

    public RegionalFleet.Layout layout() {
        return layout;
    }

    public SiteWeights weights() {
        return weights;
    }

    /**
     * Interns a rule set and checks it against every site; returns its id for {@link #place}. Rules
     * no site satisfies get an id with no eligible site (every placement then fails at the site level).
     */
    public int rules(PlacementRules r) {
        Integer id = ruleIds.get(r);
        if (id != null) {
            return id;
        }
        SiteReason[] why = new SiteReason[sites];
        int[] lat = new int[sites];
        int o = r.origin() == null ? -1 : fleet.regionIndex(r.origin());
        List<Integer> ok = new ArrayList<>();
        for (int s = 0; s < sites; s++) {
            why[s] = fleet.check(r, s);
            if (why[s] == SiteReason.ELIGIBLE) {
                ok.add(s);
            }
            lat[s] = o < 0 ? 100 : (int) Math.round(100.0 * (maxRtt - fleet.rttMs(o, fleet.regionOfSite(s))) / maxRtt);
        }
        rules.add(r);
        eligible.add(ok.stream().mapToInt(Integer::intValue).toArray());
        siteReasons.add(why);
        latencyScore.add(lat);
        ruleIds.put(r, rules.size() - 1);
        return rules.size() - 1;
    }

    /** The sites rule set {@code rulesId} allows, in fleet order (do not modify). */
    public int[] eligibleSites(int rulesId) {
        return eligible.get(rulesId);
    }

    /** The interned rule set {@code rulesId}. */
    public PlacementRules rulesOf(int rulesId) {
        return rules.get(rulesId);
    }

    /**
     * Chooses a site and a node for {@code task} without binding: the best-scoring eligible site's best
     * node, or -1 when no eligible site has a feasible node. Allocation-free.
     *
     * @param shape   the task's id from {@link Scheduler#shapeOf}
     * @param rulesId from {@link #rules(PlacementRules)}
     */
    public int select(TaskSpec task, int shape, int rulesId, Tier tier) {
        return select(task, shape, rulesId, tier, null);
    }

    /**
     * Like {@link #select(TaskSpec, int, int, Tier)}, but never choosing a site whose entry in
     * {@code excluded} is true (null = none excluded): sites held for a job ahead in the queue.
     */
    public int select(TaskSpec task, int shape, int rulesId, Tier tier, boolean[] excluded) {
        int[] ok = eligible.get(rulesId);
        lastSite = -1;
        lastCandidates = 0;
        runnerUpSite = -1;
        lastTotal = Long.MIN_VALUE;
        runnerUpTotal = Long.MIN_VALUE;
        if (ok.length == 0 || scheduler.prepare(task, shape) == 0) {
            return -1;
        }
        int[] lat = latencyScore.get(rulesId);
        int[] price = priceScore[tier.ordinal()];
        boolean gpu = task.gpuCount() > 0;
        long bestTotal = Long.MIN_VALUE;
        int bestNode = -1;
        for (int s : ok) {
            if (excluded != null && excluded[s]) {
                continue;
            }
            int node = scheduler.bestIn(shape, layout.from(s), layout.to(s));
            if (node < 0) {
                continue;
            }
            long total = siteTotal(shape, node, s, lat[s], gpu ? price[poolOfNode[node]] : 100);
            lastCandidates++;
            if (total > bestTotal) {
                runnerUpTotal = bestTotal;
                runnerUpSite = lastSite;
                bestTotal = total;
                bestNode = node;
                lastSite = s;
            } else if (total > runnerUpTotal) {
                runnerUpTotal = total;
                runnerUpSite = s;
            }
        }
        lastTotal = bestTotal;
        return bestNode;
    }

    private long siteTotal(int shape, int node, int site, int latency, int price) {
        int frag = (int) (100L * scheduler.totalOf(shape, node) / maxTotal);
        int free = siteCap[site] == 0 ? 0 : (int) (100 * siteFree[site] / siteCap[site]);
        return (long) weights.fragmentation() * frag + (long) weights.price() * price
                + (long) weights.energy() * energyScore[poolOfNode[node]] + (long) weights.freeCapacity() * free
                + (long) weights.latency() * latency;
    }

    /**
     * Places and binds {@code task}: {@link #select}, then binds on the chosen node with the profile's GPU
     * selector. Returns the node, or -1 (nothing changed).
     */
    public int place(TaskSpec task, int shape, int rulesId, Tier tier) {
        return place(task, shape, rulesId, tier, null);
    }

    /** {@link #place(TaskSpec, int, int, Tier)} avoiding the {@code excluded} sites (null = none). */
    public int place(TaskSpec task, int shape, int rulesId, Tier tier, boolean[] excluded) {
        int node = select(task, shape, rulesId, tier, excluded);
        if (node < 0) {
            return -1;
        }
        Reason r = scheduler.placeOn(task, node);
        if (r != Reason.FITS) {
            throw new IllegalStateException("node " + state.name(node) + " was selected for " + task.name() + " but its filters say "
                    + r + "; the scheduler's view is stale");
        }
        return node;
    }

    /** Site of the node chosen by the last {@link #select}/{@link #place}, or -1. */
    public int lastSite() {
        return lastSite;
    }

    /** Number of eligible, not excluded sites that had a feasible node in the last {@link #select}. */
    public int lastCandidates() {
        return lastCandidates;
    }

    /** Site score of the last {@link #select}'s chosen site ({@link Long#MIN_VALUE} when none). */
    public long lastTotal() {
        return lastTotal;
    }

    /** The second-best candidate site of the last {@link #select}, or -1 when there was at most one. */
    public int runnerUpSite() {
        return runnerUpSite;
    }

    /** Site score of {@link #runnerUpSite()} ({@link Long#MIN_VALUE} when none). */
    public long runnerUpTotal() {
        return runnerUpTotal;
    }

    /** Site index of node {@code node}. */
    public int siteOf(int node) {
        return layout.siteOfNode()[node];
    }

    /**
     * One site's verdict for a job: rejected at the site level (residency, latency), at the node level
     * (with the per-reason node counts), or a candidate with its best node and score.
     *
     * @param components the weighted-sum parts in the order fragmentation, price, energy, free capacity,
     *                   latency (each 0..100); empty unless a candidate
     */
    public record SiteVerdict(String site, String region, SiteReason reason, String detail, String bestNode, long total,
                              int[] components, Map<Reason, Integer> nodeReasons) {
        public boolean candidate() {
            return reason == SiteReason.ELIGIBLE;
        }
    }

    /**
     * Where the job would go now and why, site by site, without binding.
     *
     * @param chosenSite the site {@link #select} picks, or null
     * @param chosenNode the node, or null
     */
    public record Explanation(String task, String rules, List<SiteVerdict> sites, String chosenSite, String chosenNode) {
        /** e.g. {@code "placed on JHB-A-h100-017 in JHB-A; 9 sites: 4 candidates, 3 rejected (latency SLO exceeded), ..."}. */
        public String message() {
            Map<SiteReason, Integer> counts = new EnumMap<>(SiteReason.class);
            for (SiteVerdict v : sites) {
                counts.merge(v.reason(), 1, Integer::sum);
            }
            StringBuilder b = new StringBuilder(chosenNode == null ? "unschedulable" : "placed on " + chosenNode + " in " + chosenSite);
            b.append("; ").append(sites.size()).append(" sites: ");
            List<String> parts = new ArrayList<>();
            for (Map.Entry<SiteReason, Integer> e : counts.entrySet()) {
                parts.add(e.getValue() + (e.getKey() == SiteReason.ELIGIBLE ? " candidate" + (e.getValue() == 1 ? "" : "s")
                        : " rejected at the " + (e.getKey() == SiteReason.NO_NODE_FITS || e.getKey() == SiteReason.GPU_MODEL ? "node" : "site")
                        + " level (" + e.getKey().text() + ")"));
            }
            b.append(String.join(", ", parts));
            return b.toString();
        }
    }

    /** Explains the decision {@link #select} would take for {@code task} now. O(N); for APIs and reports. */
    public Explanation explain(TaskSpec task, int rulesId, Tier tier) {
        int shape = scheduler.shapeOf(task);
        int chosen = select(task, shape, rulesId, tier);
        int chosenSite = lastSite;
        scheduler.prepare(task, shape);
        PlacementRules r = rules.get(rulesId);
        SiteReason[] why = siteReasons.get(rulesId);
        int[] lat = latencyScore.get(rulesId);
        int o = r.origin() == null ? -1 : fleet.regionIndex(r.origin());
        List<SiteVerdict> out = new ArrayList<>();
        for (int s = 0; s < sites; s++) {
            Site site = fleet.sites().get(s);
            Region reg = fleet.regions().get(fleet.regionOfSite(s));
            if (why[s] != SiteReason.ELIGIBLE) {
                String detail = switch (why[s]) {
                    case JURISDICTION -> "jurisdiction " + reg.jurisdiction() + " not in " + String.join("|", r.jurisdictions());
                    case REGION -> "region " + reg.id() + " not in " + String.join("|", r.regions());
                    case LATENCY -> "RTT " + fleet.rttMs(o, fleet.regionOfSite(s)) + " ms from " + r.origin() + " > SLO "
                            + r.latencySloMs() + " ms";
                    default -> why[s].text();
                };
                out.add(new SiteVerdict(site.name(), reg.id(), why[s], detail, null, 0, new int[0], Map.of()));
                continue;
            }
            int node = scheduler.bestIn(shape, layout.from(s), layout.to(s));
            if (node < 0) {
                Map<Reason, Integer> reasons = new EnumMap<>(Reason.class);
                for (int i = layout.from(s); i < layout.to(s); i++) {
                    Reason x = scheduler.fits(task, i);
                    if (x != Reason.FITS) {
                        reasons.merge(x, 1, Integer::sum);
                    }
                }
                // by the nodes' hardware, not by their first failing filter: a node that is down or short of
                // CPU still counts as having (or lacking) a GPU model the job accepts
                boolean modelMissing = true;
                for (int i = layout.from(s); i < layout.to(s) && modelMissing; i++) {
                    modelMissing = task.gpuCount() > 0
                            && (state.gpuCount(i) == 0 || Filters.checkModel(state, i, task) != Reason.FITS);
                }
                SiteReason sr = modelMissing ? SiteReason.GPU_MODEL : SiteReason.NO_NODE_FITS;
                String detail = modelMissing ? "needs " + GpuModels.describeMask(task.allowedModels())
                        : "0/" + (layout.to(s) - layout.from(s)) + " nodes fit: " + describe(reasons);
                out.add(new SiteVerdict(site.name(), reg.id(), sr, detail, null, 0, new int[0], reasons));
                continue;
            }
            boolean gpu = task.gpuCount() > 0;
            int price = gpu ? priceScore[tier.ordinal()][poolOfNode[node]] : 100;
            int frag = (int) (100L * scheduler.totalOf(shape, node) / maxTotal);
            int free = siteCap[s] == 0 ? 0 : (int) (100 * siteFree[s] / siteCap[s]);
            int[] comp = {frag, price, energyScore[poolOfNode[node]], free, lat[s]};
            out.add(new SiteVerdict(site.name(), reg.id(), SiteReason.ELIGIBLE, "best node " + state.name(node),
                    state.name(node), siteTotal(shape, node, s, lat[s], price), comp, Map.of()));
        }
        return new Explanation(task.name(), r.describe(), out, chosenSite < 0 ? null : fleet.sites().get(chosenSite).name(),
                chosen < 0 ? null : state.name(chosen));
    }

    private static String describe(Map<Reason, Integer> reasons) {
        List<String> parts = new ArrayList<>();
        reasons.forEach((k, v) -> parts.add(v + " " + k.text()));
        return String.join(", ", parts);
    }
}
