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
 * @param shares100    the sharing tasks placed and turned away up to the last task of the 100 % arrived bin
 * @param shares130    the same at the end of the run (130 % arrived)
 */
public record RunResult(String workload, String policy, long seed, int totalGpus,
                        double[] alloc, double[] frag, double[] fragRatio,
                        int tasks, int placed, int failedGpuTasks, int failedCpuTasks,
                        double finalAllocPct, double finalArrivedPct, long computeNanos,
                        ShareTally shares100, ShareTally shares130) {

    /**
     * GPU parts of sharing tasks (fewer than 1000 milli per GPU) up to some point of a run, indexed by
     * milli: a task of k GPUs at g milli counts k at index g, as placed or as turned away.
     */
    public record ShareTally(int[] placed, int[] refused) {
        /** {@link ArrangementFloor#of}: the least any arrangement of these shares leaves unallocated. */
        public ArrangementFloor.Result floor(int gpus) {
            return ArrangementFloor.of(placed, refused, gpus);
        }
    }
}
