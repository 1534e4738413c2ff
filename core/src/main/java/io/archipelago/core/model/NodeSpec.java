package io.archipelago.core.model;

import java.util.Objects;

/**
 * One machine of the fleet as declared: CPU in milli-cores, memory in MiB, and {@code gpuCount}
 * GPUs of one model, each with a capacity of 1000 milli-GPU.
 *
 * @param name      unique node name
 * @param cpuMilli  allocatable CPU, milli-cores (&gt; 0)
 * @param memoryMib allocatable memory, MiB (&gt; 0)
 * @param gpuCount  number of GPUs (0 for a CPU-only node)
 * @param gpuModel  model id from {@link GpuModels}, or -1 when {@code gpuCount == 0}
 * @param rdma      RDMA bandwidth the node can share out, percent (100 = one full NIC; 0 = none)
 */
public record NodeSpec(String name, int cpuMilli, long memoryMib, int gpuCount, int gpuModel, int rdma) {
    /** Most GPUs one node may carry; GPU sets are encoded as an {@code int} bit mask. */
    public static final int MAX_GPUS = 16;

    public NodeSpec {
        Objects.requireNonNull(name, "name");
        if (cpuMilli < 0 || memoryMib < 0 || rdma < 0) {
            throw new IllegalArgumentException("node " + name + ": negative capacity cpu=" + cpuMilli + " mem=" + memoryMib
                    + " rdma=" + rdma);
        }
        if (gpuCount < 0 || gpuCount > MAX_GPUS) {
            throw new IllegalArgumentException("node " + name + ": gpuCount " + gpuCount + " outside 0.." + MAX_GPUS);
        }
        if (gpuCount > 0 && (gpuModel < 0 || gpuModel >= GpuModels.names().size())) {
            throw new IllegalArgumentException("node " + name + ": has " + gpuCount + " GPUs but no known model (id " + gpuModel + ")");
        }
    }

    /** A node without RDMA capacity (the openb fleets). */
    public NodeSpec(String name, int cpuMilli, long memoryMib, int gpuCount, int gpuModel) {
        this(name, cpuMilli, memoryMib, gpuCount, gpuModel, 0);
    }

    /** A copy under another name. */
    public NodeSpec renamed(String newName) {
        return new NodeSpec(newName, cpuMilli, memoryMib, gpuCount, gpuModel, rdma);
    }

    /** A copy with another RDMA capacity. */
    public NodeSpec withRdma(int percent) {
        return new NodeSpec(name, cpuMilli, memoryMib, gpuCount, gpuModel, percent);
    }

    /** Name of the GPU model, or the empty string for a CPU-only node. */
    public String gpuModelName() {
        return gpuModel < 0 ? "" : GpuModels.nameOf(gpuModel);
    }
}
