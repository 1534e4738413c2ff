package io.archipelago.sim.synth;

import io.archipelago.core.geo.Finance;
import io.archipelago.core.geo.NodePool;
import io.archipelago.core.geo.Price;
import io.archipelago.core.geo.Region;
import io.archipelago.core.geo.RegionalFleet;
import io.archipelago.core.geo.Site;
import io.archipelago.core.model.TaskSpec;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Small regional fleets and the openb shape mix for the multi-region generator's tests. */
final class MultiRegionFleets {
    private MultiRegionFleets() {
    }

    static final List<Region> REGIONS = List.of(
            new Region("ap-southeast-1", "Singapore", "SG", 3),
            new Region("ap-southeast-3", "Kuala Lumpur", "MY", 3),
            new Region("ap-southeast-8", "Johor", "MY", 1),
            new Region("ap-southeast-7", "Bangkok", "TH", 3));

    /** Round trips, ms: SIN–JHB 3, SIN–KUL 10, KUL–JHB 8, BKK 28–35 ms from the rest. */
    static final int[][] RTT = {
            {1, 10, 3, 35},
            {10, 1, 8, 28},
            {3, 8, 1, 33},
            {35, 28, 33, 1}};

    static final String[] SITES = {"SIN-A", "KUL-A", "JHB-A", "BKK-A"};

    /**
     * A SEA-like fleet where placement rules bite: H100 only in Singapore, H200 only in Johor, H20 in
     * Kuala Lumpur, A10 in Singapore, Kuala Lumpur and Bangkok, V100M32 in Bangkok.
     */
    static RegionalFleet sea() {
        List<NodePool> pools = List.of(
                pool("h100", "SIN-A", "H100", 8, 8),
                pool("a10", "SIN-A", "A10", 4, 8),
                pool("h20", "KUL-A", "H20", 8, 8),
                pool("a10", "KUL-A", "A10", 4, 8),
                pool("h200", "JHB-A", "H200", 8, 8),
                pool("a10", "BKK-A", "A10", 4, 8),
                pool("v100", "BKK-A", "V100M32", 8, 4));
        return fleet("sea-test", pools);
    }

    /** Every site has every model the default classes use, so no rule ever needs relaxing. */
    static RegionalFleet uniform() {
        List<NodePool> pools = new ArrayList<>();
        for (String s : SITES) {
            pools.add(pool("h100", s, "H100", 8, 8));
            pools.add(pool("h200", s, "H200", 8, 8));
            pools.add(pool("h20", s, "H20", 8, 8));
            pools.add(pool("a10", s, "A10", 4, 8));
        }
        return fleet("uniform-test", pools);
    }

    static RegionalFleet fleet(String name, List<NodePool> pools) {
        List<Site> sites = new ArrayList<>();
        for (int i = 0; i < SITES.length; i++) {
            sites.add(new Site(SITES[i], REGIONS.get(i).id(), "a", 50, 1.3, 0.12, 10, LocalDate.of(2025, 1, 1)));
        }
        List<Price> prices = new ArrayList<>();
        Map<String, Boolean> seen = new LinkedHashMap<>();
        for (NodePool p : pools) {
            String region = REGIONS.get(List.of(SITES).indexOf(p.site())).id();
            if (!p.gpuModel().isEmpty() && seen.put(p.gpuModel() + "@" + region, true) == null) {
                prices.add(new Price(p.gpuModel(), region, 4.0, 1.5, 2.5));
            }
        }
        return new RegionalFleet(name, "test fleet", REGIONS, sites, pools, RTT, prices, new Finance(5, 15, 0.3));
    }

    static NodePool pool(String name, String site, String model, int gpus, int nodes) {
        int cpu = gpus >= 8 ? 192 : 96;
        int mem = gpus >= 8 ? 2048 : 768;
        return new NodePool(name, site, model, gpus, cpu, mem, 100, 10, 7, 250_000, nodes);
    }

    /**
     * The openb task-shape mix as the loader builds it when no trace file is present: the built-in
     * synthetic openb pods grouped by (CPU, memory, GPUs, milli-GPU), weighted by pod count.
     */
    static List<TaskSpec> openbShapes(List<Double> weightsOut) {
        Map<TaskSpec, Integer> counts = new LinkedHashMap<>();
        for (TaskSpec t : SyntheticOpenb.defaultTasks(42)) {
            counts.merge(TaskSpec.of("shape", t.cpuMilli(), t.memoryMib(), t.gpuCount(), t.gpuMilli()), 1, Integer::sum);
        }
        List<TaskSpec> out = new ArrayList<>();
        for (Map.Entry<TaskSpec, Integer> e : counts.entrySet()) {
            out.add(e.getKey());
            weightsOut.add((double) e.getValue());
        }
        return out;
    }
}
