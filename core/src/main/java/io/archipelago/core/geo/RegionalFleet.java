package io.archipelago.core.geo;

import io.archipelago.core.model.GpuModels;
import io.archipelago.core.model.NodeSpec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * A fleet spread over regions and sites, with what placement and economics need to know about it:
 * jurisdictions, the round-trip latency between regions, the price book and the cost parameters.
 * Immutable; validated on construction (every message names the element and the value).
 *
 * <p>Nodes are laid out site by site, in site order, and inside a site pool by pool in file order
 * ({@link #layout()}), so every site is one contiguous range of node indices. Two-level placement
 * relies on that.
 */
public final class RegionalFleet {
    private final String name;
    private final String description;
    private final List<Region> regions;
    private final List<Site> sites;
    private final List<NodePool> pools;
    private final int[][] rttMs;
    private final List<Price> prices;
    private final Finance finance;
    private final Map<String, Integer> regionIndex = new HashMap<>();
    private final Map<String, Integer> siteIndex = new HashMap<>();
    private final int[] regionOfSite;
    private final Map<String, Price> priceIndex = new HashMap<>();

    /**
     * @param rttMs round-trip latency between regions, ms, indexed like {@code regions}: symmetric,
     *              ≥ 0; the diagonal is the round trip between sites of one region
     */
    public RegionalFleet(String name, String description, List<Region> regions, List<Site> sites, List<NodePool> pools,
                         int[][] rttMs, List<Price> prices, Finance finance) {
        this.name = Objects.requireNonNull(name, "name");
        this.description = Objects.requireNonNull(description, "description");
        this.regions = List.copyOf(regions);
        this.sites = List.copyOf(sites);
        this.finance = Objects.requireNonNull(finance, "finance");
        this.prices = List.copyOf(prices);
        if (this.regions.isEmpty() || this.sites.isEmpty() || pools.isEmpty()) {
            throw new IllegalArgumentException("fleet " + name + ": needs at least one region, one site and one node pool; has "
                    + this.regions.size() + ", " + this.sites.size() + " and " + pools.size());
        }
        for (int i = 0; i < this.regions.size(); i++) {
            if (regionIndex.put(this.regions.get(i).id(), i) != null) {
                throw new IllegalArgumentException("fleet " + name + ": region " + this.regions.get(i).id() + " appears twice");
            }
        }
        regionOfSite = new int[this.sites.size()];
        for (int i = 0; i < this.sites.size(); i++) {
            Site s = this.sites.get(i);
            if (siteIndex.put(s.name(), i) != null) {
                throw new IllegalArgumentException("fleet " + name + ": site " + s.name() + " appears twice");
            }
            Integer r = regionIndex.get(s.region());
            if (r == null) {
                throw new IllegalArgumentException("site " + s.name() + ": unknown region '" + s.region() + "'; expected one of "
                        + String.join(", ", regionIndex.keySet().stream().sorted().toList()));
            }
            regionOfSite[i] = r;
        }
        // pools, grouped by site in site order (stable inside a site)
        List<NodePool> ordered = new ArrayList<>();
        for (Site s : this.sites) {
            for (NodePool p : pools) {
                if (p.site().equals(s.name())) {
                    ordered.add(p);
                }
            }
        }
        for (NodePool p : pools) {
            if (!siteIndex.containsKey(p.site())) {
                throw new IllegalArgumentException("pool " + p.name() + ": unknown site '" + p.site() + "'; expected one of "
                        + String.join(", ", this.sites.stream().map(Site::name).toList()));
            }
            long same = pools.stream().filter(q -> q.site().equals(p.site()) && q.name().equals(p.name())).count();
            if (same > 1) {
                throw new IllegalArgumentException("site " + p.site() + ": pool " + p.name() + " appears " + same + " times");
            }
        }
        this.pools = List.copyOf(ordered);
        for (Site s : this.sites) {
            double peakKw = 0;
            for (NodePool p : this.pools) {
                if (p.site().equals(s.name())) {
                    peakKw += p.peakKw() * p.nodes();
                }
            }
            double needMw = peakKw * s.pue() / 1000;
            if (needMw > s.powerMw() * (1 + 1e-9)) {
                throw new IllegalArgumentException(String.format(Locale.ROOT, "site %s: its pools need %.3f MW (peak IT %.0f kW x PUE %.2f)"
                        + " but power_mw is %.3f; raise power_mw or shrink a pool", s.name(), needMw, peakKw, s.pue(), s.powerMw()));
            }
        }
        int r = this.regions.size();
        if (rttMs.length != r) {
            throw new IllegalArgumentException("latency matrix has " + rttMs.length + " rows for " + r + " regions");
        }
        this.rttMs = new int[r][];
        for (int i = 0; i < r; i++) {
            if (rttMs[i].length != r) {
                throw new IllegalArgumentException("latency matrix row " + this.regions.get(i).id() + " has " + rttMs[i].length
                        + " entries for " + r + " regions");
            }
            this.rttMs[i] = rttMs[i].clone();
        }
        for (int i = 0; i < r; i++) {
            for (int j = 0; j < r; j++) {
                if (this.rttMs[i][j] < 0 || this.rttMs[i][j] != this.rttMs[j][i]) {
                    throw new IllegalArgumentException("latency " + this.regions.get(i).id() + " -> " + this.regions.get(j).id() + " is "
                            + this.rttMs[i][j] + " ms and the reverse " + this.rttMs[j][i] + " ms; expected equal and >= 0");
                }
            }
        }
        for (Price p : this.prices) {
            if (!regionIndex.containsKey(p.region())) {
                throw new IllegalArgumentException("price of " + p.gpuModel() + ": unknown region '" + p.region() + "'");
            }
            if (GpuModels.idOf(p.gpuModel()) < 0) {
                throw new IllegalArgumentException("price in " + p.region() + ": unknown GPU model '" + p.gpuModel() + "'");
            }
            if (priceIndex.put(p.gpuModel() + "@" + p.region(), p) != null) {
                throw new IllegalArgumentException("price of " + p.gpuModel() + " in " + p.region() + " appears twice");
            }
        }
        for (NodePool p : this.pools) {
            if (!p.gpuModel().isEmpty()) {
                String region = this.sites.get(siteIndex.get(p.site())).region();
                if (!priceIndex.containsKey(p.gpuModel() + "@" + region)) {
                    throw new IllegalArgumentException("pool " + p.site() + "/" + p.name() + ": no price for " + p.gpuModel() + " in "
                            + region + "; add it to the price book");
                }
            }
        }
    }

    public String name() { return name; }
    public String description() { return description; }
    public List<Region> regions() { return regions; }
    public List<Site> sites() { return sites; }
    /** The pools, grouped by site in site order. */
    public List<NodePool> pools() { return pools; }
    public List<Price> prices() { return prices; }
    public Finance finance() { return finance; }

    /** Index of region {@code id}, or -1. */
    public int regionIndex(String id) {
        Integer i = regionIndex.get(id);
        return i == null ? -1 : i;
    }

    /** Index of site {@code name}, or -1. */
    public int siteIndex(String siteName) {
        Integer i = siteIndex.get(siteName);
        return i == null ? -1 : i;
    }

    /** Region index of site {@code site}. */
    public int regionOfSite(int site) {
        return regionOfSite[site];
    }

    /** Round trip between two regions (by index), ms. */
    public int rttMs(int regionA, int regionB) {
        return rttMs[regionA][regionB];
    }

    /** The price of {@code gpuModel} in region {@code region}, or null when the book has none. */
    public Price price(String gpuModel, String region) {
        return priceIndex.get(gpuModel + "@" + region);
    }

    /** Total nodes. */
    public int nodeCount() {
        return pools.stream().mapToInt(NodePool::nodes).sum();
    }

    /** Total GPUs. */
    public long gpuCount() {
        return pools.stream().mapToLong(NodePool::gpus).sum();
    }

    /**
     * Checks {@code rules} against site {@code site}: {@link SiteReason#ELIGIBLE}, or the first rule it
     * breaks, in the order jurisdiction, region, latency. Unknown region ids in the rules simply match
     * nothing; use {@link #validate(PlacementRules)} to reject them.
     */
    public SiteReason check(PlacementRules rules, int site) {
        Region reg = regions.get(regionOfSite[site]);
        if (!rules.jurisdictions().isEmpty() && !rules.jurisdictions().contains(reg.jurisdiction())) {
            return SiteReason.JURISDICTION;
        }
        if (!rules.regions().isEmpty() && !rules.regions().contains(reg.id())) {
            return SiteReason.REGION;
        }
        if (rules.hasSlo()) {
            int o = regionIndex(rules.origin());
            if (o < 0 || rttMs[o][regionOfSite[site]] > rules.latencySloMs()) {
                return SiteReason.LATENCY;
            }
        }
        return SiteReason.ELIGIBLE;
    }

    /**
     * Fails with a message naming the value when {@code rules} name a region or jurisdiction the fleet
     * does not have, or when no site satisfies them.
     */
    public void validate(PlacementRules rules) {
        if (rules.origin() != null && regionIndex(rules.origin()) < 0) {
            throw new IllegalArgumentException("origin region '" + rules.origin() + "' is not in fleet " + name + "; expected one of "
                    + String.join(", ", regions.stream().map(Region::id).toList()));
        }
        for (String reg : rules.regions()) {
            if (regionIndex(reg) < 0) {
                throw new IllegalArgumentException("allowed region '" + reg + "' is not in fleet " + name + "; expected one of "
                        + String.join(", ", regions.stream().map(Region::id).toList()));
            }
        }
        List<String> jur = regions.stream().map(Region::jurisdiction).distinct().toList();
        for (String j : rules.jurisdictions()) {
            if (!jur.contains(j)) {
                throw new IllegalArgumentException("jurisdiction '" + j + "' is not one of fleet " + name + "'s: " + String.join(", ", jur));
            }
        }
        for (int s = 0; s < sites.size(); s++) {
            if (check(rules, s) == SiteReason.ELIGIBLE) {
                return;
            }
        }
        throw new IllegalArgumentException("no site of fleet " + name + " satisfies " + rules.describe()
                + "; relax the residency or the latency SLO");
    }

    /** The nodes of the fleet and where each stands. */
    public record Layout(List<NodeSpec> nodes, int[] siteOfNode, int[] poolOfNode, int[] siteStart) {
        /** First node index of {@code site}; the site's nodes are {@code [siteStart(s), siteStart(s + 1))}. */
        public int from(int site) {
            return siteStart[site];
        }

        public int to(int site) {
            return siteStart[site + 1];
        }
    }

    /** Expands the pools into nodes named {@code <site>-<pool>-<nnn>}, site by site. */
    public Layout layout() {
        List<NodeSpec> nodes = new ArrayList<>();
        int total = nodeCount();
        int[] siteOf = new int[total];
        int[] poolOf = new int[total];
        int[] start = new int[sites.size() + 1];
        int k = 0;
        for (int s = 0; s < sites.size(); s++) {
            start[s] = k;
            for (int p = 0; p < pools.size(); p++) {
                NodePool pool = pools.get(p);
                if (!pool.site().equals(sites.get(s).name())) {
                    continue;
                }
                int model = pool.gpuModel().isEmpty() ? -1 : GpuModels.idOf(pool.gpuModel());
                int width = Math.max(3, String.valueOf(pool.nodes()).length());
                for (int i = 1; i <= pool.nodes(); i++) {
                    String nm = String.format(Locale.ROOT, "%s-%s-%0" + width + "d", pool.site(), pool.name(), i);
                    nodes.add(new NodeSpec(nm, pool.cpuCores() * 1000, pool.memoryGib() * 1024L, pool.gpusPerNode(), model, pool.rdma()));
                    siteOf[k] = s;
                    poolOf[k] = p;
                    k++;
                }
            }
        }
        start[sites.size()] = k;
        return new Layout(nodes, siteOf, poolOf, start);
    }

    /**
     * The same fleet with every pool's node count multiplied by {@code factor} (rounded, at least one
     * node), for quick runs and tests. Facility power is scaled alike.
     */
    public RegionalFleet scaled(double factor) {
        if (!(factor > 0)) {
            throw new IllegalArgumentException("scale " + factor + "; expected > 0");
        }
        List<NodePool> ps = pools.stream().map(p -> p.withNodes((int) Math.max(1, Math.round(p.nodes() * factor)))).toList();
        List<Site> ss = sites.stream().map(s -> new Site(s.name(), s.region(), s.zone(), s.powerMw() * Math.max(1, factor * 2),
                s.pue(), s.tariffUsdPerKwh(), s.buildUsdPerWatt(), s.opens())).toList();
        return new RegionalFleet(name, description, regions, ss, ps, rttMs, prices, finance);
    }

    @Override
    public String toString() {
        return "RegionalFleet[" + name + ": " + regions.size() + " regions, " + sites.size() + " sites, " + nodeCount() + " nodes, "
                + gpuCount() + " GPUs]";
    }

    /** A copy of the latency matrix. */
    public int[][] rttMatrix() {
        int[][] c = new int[rttMs.length][];
        for (int i = 0; i < c.length; i++) {
            c[i] = Arrays.copyOf(rttMs[i], rttMs[i].length);
        }
        return c;
    }
}
