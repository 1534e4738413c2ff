package io.archipelago.sim.trace;

import io.archipelago.core.model.GpuModels;
import io.archipelago.core.model.NodeSpec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads the spot-GPU trace's node list ({@code node_info_df.csv}; the copy in the shared folder is
 * {@code traces/spot-gpu/}, 4,278 nodes), columns {@code gpu_model,gpu_capacity_num,cpu_num,node_name},
 * e.g. {@code A10,1,128,0}. {@code cpu_num} is in cores. Node names are unique and non-empty,
 * {@code gpu_capacity_num} is 0..16, {@code cpu_num} is a positive whole number, and a node with GPUs
 * names its model. The model is kept as written: the real file uses names such as
 * {@code GPU-series-1} or {@code A100-SXM4-80GB} that {@link GpuModels} may not know, and only
 * {@link #toNodeSpecs} needs a known one. Every row is validated; the first problem throws
 * {@link TraceFormatException} naming file, line, column, value and what was expected, and nothing is
 * returned.
 */
public final class SpotNodeCsvReader {
    private static final Set<String> REQUIRED = new LinkedHashSet<>(List.of("gpu_model", "gpu_capacity_num", "cpu_num", "node_name"));
    /** Name prefix of the converted nodes, so spot nodes never collide with nodes of other traces. */
    public static final String NAME_PREFIX = "spot-";

    private SpotNodeCsvReader() {
    }

    /** All nodes of the file, in file order. */
    public static List<SpotNode> read(Path path) {
        CsvTable t = CsvTable.read(path, REQUIRED, Set.of());
        List<SpotNode> out = new ArrayList<>(t.rows.size());
        Set<String> names = new HashSet<>();
        for (int r = 0; r < t.rows.size(); r++) {
            String name = t.text(r, "node_name");
            if (name.isEmpty()) {
                throw t.error(r, "node_name", name, "a non-empty node name");
            }
            if (!names.add(name)) {
                throw t.error(r, "node_name", name, "a unique node name (this one appeared before)");
            }
            int gpus = (int) t.nonNegative(r, "gpu_capacity_num", NodeSpec.MAX_GPUS);
            String model = t.text(r, "gpu_model");
            if (gpus > 0 && model.isEmpty()) {
                throw t.error(r, "gpu_model", model, "a GPU model name for a node with " + gpus + " GPUs");
            }
            long maxCores = Integer.MAX_VALUE / 1000;
            int cores = (int) t.nonNegative(r, "cpu_num", maxCores);
            if (cores == 0) {
                throw t.error(r, "cpu_num", "0", "a whole number of cores from 1 to " + maxCores + " (a node needs a CPU)");
            }
            out.add(new SpotNode(name, model, gpus, cores * 1000));
        }
        return List.copyOf(out);
    }

    /**
     * The nodes as engine {@link NodeSpec}s, in the same order, named {@code "spot-" + node_name}. The
     * file has no memory column, so each node gets {@code cores × memoryMibPerCore} MiB (e.g. 8192,
     * 8 GiB per core). As in {@link NodeCsvReader}, a node with GPUs must name a model known to
     * {@link GpuModels}; a CPU-only node keeps no model (-1).
     *
     * @throws IllegalArgumentException if {@code memoryMibPerCore} is not positive, or a node with GPUs
     *                                  has a model unknown to {@link GpuModels} (the message lists the
     *                                  known names; filter such nodes out first)
     */
    public static List<NodeSpec> toNodeSpecs(List<SpotNode> nodes, long memoryMibPerCore) {
        if (memoryMibPerCore <= 0) {
            throw new IllegalArgumentException("memoryMibPerCore must be positive (e.g. 8192), was " + memoryMibPerCore);
        }
        List<NodeSpec> out = new ArrayList<>(nodes.size());
        for (SpotNode n : nodes) {
            int model = -1;
            if (n.gpuCount() > 0) {
                model = GpuModels.idOf(n.gpuModel());
                if (model < 0) {
                    throw new IllegalArgumentException("spot node " + n.name() + ": GPU model '" + n.gpuModel()
                            + "' is not a known GPU model " + GpuModels.names()
                            + "; filter such nodes out first or add the model to GpuModels");
                }
            }
            long memory = Math.multiplyExact((long) n.cpuMilli(), memoryMibPerCore) / 1000;
            out.add(new NodeSpec(NAME_PREFIX + n.name(), n.cpuMilli(), memory, n.gpuCount(), model));
        }
        return List.copyOf(out);
    }
}
