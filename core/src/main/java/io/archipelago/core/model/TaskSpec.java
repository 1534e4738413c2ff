package io.archipelago.core.model;

import java.util.Objects;

/**
 * One task (pod) to place.
 *
 * <p>GPU demand is {@code gpuCount} GPUs of {@code gpuMilli} milli-GPU each. A task with
 * {@code gpuCount == 1 && gpuMilli < 1000} shares a GPU with others; every multi-GPU task takes
 * whole GPUs ({@code gpuMilli == 1000}); a CPU-only task has {@code gpuCount == 0} and
 * {@code gpuMilli == 0}.
 *
 * @param name          unique task name
 * @param cpuMilli      CPU request, milli-cores
 * @param memoryMib     memory request, MiB
 * @param gpuCount      number of GPUs, 0..{@link NodeSpec#MAX_GPUS}
 * @param gpuMilli      milli-GPU per GPU, 0..1000
 * @param gpuSpec       the allowed-model list as written in the input ("" = any), kept verbatim
 *                      because it is part of the task's shape in the FGD target workload
 * @param allowedModels bit mask over {@link GpuModels} ids; 0 = any model
 * @param qos           quality-of-service class
 * @param creationTime  trace creation time, seconds (-1 when absent)
 * @param deletionTime  trace deletion time, seconds (-1 when absent)
 * @param scheduledTime trace scheduled time, seconds (-1 when absent)
 * @param rdma          share of the node's RDMA bandwidth, percent (0 = none needed)
 * @param group         anti-affinity group (e.g. the service a replica belongs to), -1 for none
 * @param maxPerNode    at most this many tasks of {@code group} on one node; 0 = no limit
 */
public record TaskSpec(String name, int cpuMilli, long memoryMib, int gpuCount, int gpuMilli,
                       String gpuSpec, long allowedModels, Qos qos,
                       long creationTime, long deletionTime, long scheduledTime,
                       int rdma, int group, int maxPerNode) {
    public TaskSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(gpuSpec, "gpuSpec");
        Objects.requireNonNull(qos, "qos");
        if (cpuMilli < 0 || memoryMib < 0 || gpuCount < 0 || gpuMilli < 0 || rdma < 0) {
            throw new IllegalArgumentException("task " + name + ": negative request");
        }
        if (gpuCount > NodeSpec.MAX_GPUS) {
            throw new IllegalArgumentException("task " + name + ": gpuCount " + gpuCount + " above " + NodeSpec.MAX_GPUS);
        }
        if (gpuMilli > 1000) {
            throw new IllegalArgumentException("task " + name + ": gpuMilli " + gpuMilli + " above 1000");
        }
        if (gpuCount > 1 && gpuMilli != 1000) {
            throw new IllegalArgumentException("task " + name + ": " + gpuCount + " GPUs of " + gpuMilli
                    + " milli; a multi-GPU task must take whole GPUs (1000)");
        }
        if (maxPerNode < 0 || (maxPerNode > 0 && group < 0)) {
            throw new IllegalArgumentException("task " + name + ": maxPerNode " + maxPerNode + " with group " + group
                    + "; a per-node limit needs a group id >= 0, and the limit must be >= 0 (0 = none)");
        }
        if ((gpuCount == 0) != (gpuMilli == 0)) {
            throw new IllegalArgumentException("task " + name + ": gpuCount " + gpuCount + " with gpuMilli " + gpuMilli
                    + "; both must be 0 for a CPU-only task, or both positive");
        }
    }

    /** Convenience constructor for tests and generators: no model constraint, no times. */
    public static TaskSpec of(String name, int cpuMilli, long memoryMib, int gpuCount, int gpuMilli) {
        return new TaskSpec(name, cpuMilli, memoryMib, gpuCount, gpuMilli, "", 0L, Qos.UNSPECIFIED, -1, -1, -1, 0, -1, 0);
    }

    /** An openb-style task: no RDMA need and no per-node limit. */
    public static TaskSpec openb(String name, int cpuMilli, long memoryMib, int gpuCount, int gpuMilli, String gpuSpec,
                                 long allowedModels, Qos qos, long creationTime, long deletionTime, long scheduledTime) {
        return new TaskSpec(name, cpuMilli, memoryMib, gpuCount, gpuMilli, gpuSpec, allowedModels, qos,
                creationTime, deletionTime, scheduledTime, 0, -1, 0);
    }

    /** A copy with another QoS class. */
    public TaskSpec withQos(Qos q) {
        return new TaskSpec(name, cpuMilli, memoryMib, gpuCount, gpuMilli, gpuSpec, allowedModels, q,
                creationTime, deletionTime, scheduledTime, rdma, group, maxPerNode);
    }

    /** Total GPU demand in milli-GPU ({@code gpuCount * gpuMilli}). */
    public long gpuDemandMilli() {
        return (long) gpuCount * gpuMilli;
    }

    /** True for a task that shares one GPU with others. */
    public boolean isSharing() {
        return gpuCount == 1 && gpuMilli < 1000;
    }

    /** A copy under another name (used by workload inflation). */
    public TaskSpec renamed(String newName) {
        return new TaskSpec(newName, cpuMilli, memoryMib, gpuCount, gpuMilli, gpuSpec, allowedModels, qos,
                creationTime, deletionTime, scheduledTime, rdma, group, maxPerNode);
    }
}
