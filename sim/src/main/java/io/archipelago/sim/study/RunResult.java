package io.archipelago.sim.study;

/**
 * The outcome of one study run (one workload, policy and seed).
 *
 * @param workload     workload name (pod file name without .csv)
 * @param policy       policy name
 * @param seed         the seed
 * @param totalGpus    GPUs in the cluster
 * @param alloc        binned GPU allocation %, index = arrived % (0..130), 2 decimals
 * @param frag         binned fragmentation amount as % of GPU capacity, 2 decimals
 * @param fragRatio    binned fragmentation amount as % of idle GPU
 * @param tasks        tasks submitted (arrived)
 * @param placed       tasks placed
 * @param failedGpuTasks tasks with GPUs that no node could host
 * @param failedCpuTasks CPU-only tasks that no node could host
 * @param finalAllocPct GPU allocation % after the last task
 * @param finalArrivedPct arrived GPU % after the last task
 * @param computeNanos time spent in the scheduling loop (excludes loading and arrival construction)
 */
public record RunResult(String workload, String policy, long seed, int totalGpus,
                        double[] alloc, double[] frag, double[] fragRatio,
                        int tasks, int placed, int failedGpuTasks, int failedCpuTasks,
                        double finalAllocPct, double finalArrivedPct, long computeNanos) {
}
