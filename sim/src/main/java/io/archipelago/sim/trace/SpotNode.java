package io.archipelago.sim.trace;

import java.util.Objects;

/**
 * One machine of the spot-GPU trace's node list ({@code node_info_df.csv}), as read by
 * {@link SpotNodeCsvReader}. The model name is kept as written in the file; converting to a
 * {@link io.archipelago.core.model.NodeSpec} ({@link SpotNodeCsvReader#toNodeSpecs}) is where it must
 * be known to {@link io.archipelago.core.model.GpuModels}.
 *
 * @param name     the node's unique name ({@code node_name}, a number such as {@code 0} in the real file)
 * @param gpuModel the GPU model as written ({@code gpu_model}, e.g. {@code A10}, {@code GPU-series-1})
 * @param gpuCount number of GPUs, 0..16 ({@code gpu_capacity_num})
 * @param cpuMilli CPU in milli-cores ({@code cpu_num} cores × 1000, &gt; 0)
 */
public record SpotNode(String name, String gpuModel, int gpuCount, int cpuMilli) {
    public SpotNode {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(gpuModel, "gpuModel");
    }
}
