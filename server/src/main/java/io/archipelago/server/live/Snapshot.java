package io.archipelago.server.live;

import java.util.List;
import java.util.Map;

/**
 * The fleet as the engine last saw it (refreshed about once a second, and right after an operator action):
 * read by the status endpoints and the metrics without touching the engine thread.
 *
 * @param queued         queued jobs per priority class label
 * @param queuedByOrigin queued jobs per origin region id (jobs without an origin under "any"), in fleet order
 * @param inbox          commands waiting for the engine
 * @param regionNames    display name per region id, in fleet order
 */
public record Snapshot(long at, String fleet, Map<String, String> regionNames, List<SiteStatus> sites, Map<String, Integer> queued, Map<String, Integer> queuedByOrigin,
                       int running, double gpusAllocated, double gpus, int inbox) {
    /**
     * One site.
     *
     * @param allocation    allocated share of the GPUs of nodes that are up (0..1)
     * @param fragmentedGpus FGD fragmentation of the site's nodes, in GPUs (unusable idle GPU capacity for the target workload)
     * @param revenueUsdPerHour what the running jobs earn per hour at the price book's price for their tier
     * @param costUsdPerHour    what the site costs per hour now: server depreciation, facility amortisation and energy
     *                          (the economics ledger's formulas, at the current allocation and nodes up)
     */
    public record SiteStatus(String name, String region, boolean down, int nodes, int nodesUp, int nodesCordoned, double gpus,
                             double gpusAllocated, double allocation, double fragmentedGpus, int runningJobs, double revenueUsdPerHour,
                             double costUsdPerHour) {
    }

    /**
     * One node.
     *
     * @param state     ready, cordoned or down
     * @param gpuUsed   per GPU the allocated milli-GPU (0..1000)
     * @param fragmentedGpus FGD fragmentation of the node, in GPUs
     */
    public record NodeStatus(String name, String site, String state, boolean agent, String gpuModel, int cpuUsedMilli, int cpuMilli,
                             long memoryUsedMib, long memoryMib, List<Integer> gpuUsed, int tasks, double fragmentedGpus) {
    }

    /** Jobs waiting in all classes. */
    public int queuedTotal() {
        return queued.values().stream().mapToInt(Integer::intValue).sum();
    }
}
