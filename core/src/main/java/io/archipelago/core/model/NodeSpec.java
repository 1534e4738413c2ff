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
 */
public record NodeSpec(String name, int cpuMilli, long memoryMib, int gpuCount, int gpuModel) {
    /** Most GPUs one node may carry; GPU sets are encoded as an {@code int} bit mask. */
    public static final int MAX_GPUS = 16;

    public NodeSpec {
        Objects.requireNonNull(name, "name");
        if (cpuMilli < 0 || memoryMib < 0) {
            throw new IllegalArgumentException("node " + name + ": negative capacity cpu=" + cpuMilli + " mem=" + memoryMib);
        }
        if (gpuCount < 0 || gpuCount > MAX_GPUS) {
            throw new IllegalArgumentException("node " + name + ": gpuCount " + gpuCount + " outside 0.." + MAX_GPUS);
        }
        if (gpuCount > 0 && (gpuModel < 0 || gpuModel >= GpuModels.names().size())) {
            throw new IllegalArgumentException("node " + name + ": has " + gpuCount + " GPUs but no known model (id " + gpuModel + ")");
        }
    }

    /** Name of the GPU model, or the empty string for a CPU-only node. */
    public String gpuModelName() {
        return gpuModel < 0 ? "" : GpuModels.nameOf(gpuModel);
    }
}
