package io.archipelago.core;

import io.archipelago.core.model.GpuModels;
import io.archipelago.core.model.NodeSpec;
import io.archipelago.core.model.Qos;
import io.archipelago.core.model.TaskSpec;

/** Builders that keep tests short: nodes and tasks by their essentials. */
public final class Fixtures {
    private static int seq;

    private Fixtures() {
    }

    /** A node with {@code gpus} GPUs of {@code model}, {@code cpuCores} cores and 1 TiB memory. */
    public static NodeSpec node(String name, String model, int gpus, int cpuCores) {
        return new NodeSpec(name, cpuCores * 1000, 1 << 20, gpus, gpus == 0 ? -1 : GpuModels.idOf(model));
    }

    /** A task of {@code gpus} x {@code milli} GPU and {@code cpuMilli} CPU, 1 GiB memory. */
    public static TaskSpec task(int cpuMilli, int gpus, int milli) {
        return TaskSpec.of("t" + (seq++), cpuMilli, 1024, gpus, milli);
    }

    /** Same, restricted to the given '|'-separated models. */
    public static TaskSpec task(int cpuMilli, int gpus, int milli, String models) {
        long mask = 0;
        for (String m : models.split("\\|")) {
            mask |= 1L << GpuModels.idOf(m);
        }
        return TaskSpec.openb("t" + (seq++), cpuMilli, 1024, gpus, milli, models, mask, Qos.UNSPECIFIED, -1, -1, -1);
    }
}
