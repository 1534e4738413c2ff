package io.archipelago.sim.trace;

import io.archipelago.core.model.GpuModels;
import io.archipelago.core.model.NodeSpec;
import io.archipelago.core.model.Qos;
import io.archipelago.core.model.TaskSpec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads an openb pod list. Required columns: {@code name,cpu_milli,memory_mib,num_gpu,gpu_milli};
 * optional: {@code gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time} (empty times
 * read as -1). Every row is validated; the first problem throws {@link TraceFormatException} naming
 * file, line, column, value and what was expected, and nothing is returned.
 */
public final class PodCsvReader {
    private static final Set<String> REQUIRED = new LinkedHashSet<>(List.of("name", "cpu_milli", "memory_mib", "num_gpu", "gpu_milli"));
    private static final Set<String> OPTIONAL = new LinkedHashSet<>(List.of("gpu_spec", "qos", "pod_phase", "creation_time",
            "deletion_time", "scheduled_time"));
    private static final Set<String> PHASES = Set.of("", "Running", "Pending", "Failed", "Succeeded", "Unknown");

    private PodCsvReader() {
    }

    /** All pods of the file, in file order. */
    public static List<TaskSpec> read(Path path) {
        CsvTable t = CsvTable.read(path, REQUIRED, OPTIONAL);
        List<TaskSpec> out = new ArrayList<>(t.rows.size());
        Set<String> names = new HashSet<>();
        for (int r = 0; r < t.rows.size(); r++) {
            String name = t.text(r, "name");
            if (name.isEmpty()) {
                throw t.error(r, "name", name, "a non-empty pod name");
            }
            if (!names.add(name)) {
                throw t.error(r, "name", name, "a unique pod name (this one appeared before)");
            }
            int cpu = (int) t.nonNegative(r, "cpu_milli", Integer.MAX_VALUE);
            long mem = t.nonNegative(r, "memory_mib", Long.MAX_VALUE / 2);
            int numGpu = (int) t.nonNegative(r, "num_gpu", NodeSpec.MAX_GPUS);
            int milli = (int) t.nonNegative(r, "gpu_milli", 1000);
            if (numGpu > 1 && milli < 1000) {
                throw t.error(r, "gpu_milli", String.valueOf(milli), "1000 for a pod with num_gpu " + numGpu
                        + " (multi-GPU pods take whole GPUs; only 1-GPU pods may share)");
            }
            if (numGpu == 0 && milli != 0) {
                throw t.error(r, "gpu_milli", String.valueOf(milli), "0 for a CPU-only pod (num_gpu 0)");
            }
            if (numGpu > 0 && milli == 0) {
                throw t.error(r, "gpu_milli", "0", "1..1000 milli-GPU per GPU for a pod with num_gpu " + numGpu);
            }
            String spec = t.text(r, "gpu_spec");
            long mask = 0;
            if (!spec.isEmpty()) {
                for (String m : spec.split("\\|", -1)) {
                    int id = GpuModels.idOf(m.trim());
                    if (id < 0) {
                        throw t.error(r, "gpu_spec", spec, "'|'-separated known GPU models " + GpuModels.names() + " (unknown: '" + m + "')");
                    }
                    mask |= 1L << id;
                }
            }
            String qosText = t.text(r, "qos");
            Qos qos = Qos.parse(qosText);
            if (qos == null) {
                throw t.error(r, "qos", qosText, "one of LS, BE, Burstable, Guaranteed, or empty");
            }
            String phase = t.text(r, "pod_phase");
            if (!PHASES.contains(phase)) {
                throw t.error(r, "pod_phase", phase, "one of Running, Pending, Failed, Succeeded, Unknown, or empty");
            }
            long created = t.optionalTime(r, "creation_time");
            long deleted = t.optionalTime(r, "deletion_time");
            long scheduled = t.optionalTime(r, "scheduled_time");
            out.add(TaskSpec.openb(name, cpu, mem, numGpu, milli, spec, mask, qos, created, deleted, scheduled));
        }
        return List.copyOf(out);
    }
}
