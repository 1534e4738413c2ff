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
 * Reads an openb node list ({@code sn,cpu_milli,memory_mib,gpu,model}). Every row is validated; the
 * first problem throws {@link TraceFormatException} and nothing is returned.
 */
public final class NodeCsvReader {
    private static final Set<String> REQUIRED = new LinkedHashSet<>(List.of("sn", "cpu_milli", "memory_mib", "gpu", "model"));

    private NodeCsvReader() {
    }

    /** All nodes of the file, in file order. */
    public static List<NodeSpec> read(Path path) {
        CsvTable t = CsvTable.read(path, REQUIRED, Set.of());
        List<NodeSpec> out = new ArrayList<>(t.rows.size());
        Set<String> names = new HashSet<>();
        for (int r = 0; r < t.rows.size(); r++) {
            String name = t.text(r, "sn");
            if (name.isEmpty()) {
                throw t.error(r, "sn", name, "a non-empty node name");
            }
            if (!names.add(name)) {
                throw t.error(r, "sn", name, "a unique node name (this one appeared before)");
            }
            int cpu = (int) t.nonNegative(r, "cpu_milli", Integer.MAX_VALUE);
            long mem = t.nonNegative(r, "memory_mib", Long.MAX_VALUE / 2);
            int gpus = (int) t.nonNegative(r, "gpu", NodeSpec.MAX_GPUS);
            String modelName = t.text(r, "model");
            int model = -1;
            if (gpus > 0) {
                model = GpuModels.idOf(modelName);
                if (model < 0) {
                    throw t.error(r, "model", modelName, "a known GPU model for a node with " + gpus + " GPUs: " + GpuModels.names());
                }
            } else if (!modelName.isEmpty() && GpuModels.idOf(modelName) < 0) {
                throw t.error(r, "model", modelName, "empty or a known GPU model: " + GpuModels.names());
            }
            out.add(new NodeSpec(name, cpu, mem, gpus, model));
        }
        return List.copyOf(out);
    }

    /** Only the nodes with at least one GPU (the FGD study's cluster). */
    public static List<NodeSpec> gpuNodes(List<NodeSpec> nodes) {
        return nodes.stream().filter(n -> n.gpuCount() > 0).toList();
    }
}
