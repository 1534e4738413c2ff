package io.archipelago.sim.synth;

import io.archipelago.core.model.GpuModels;
import io.archipelago.core.model.NodeSpec;
import io.archipelago.core.model.Qos;
import io.archipelago.core.model.TaskSpec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Built-in synthetic stand-in for the openb trace (Alibaba cluster-trace-gpu-v2023, CC BY 4.0), so
 * that the FGD placement study runs when no trace file is present.
 *
 * <p>Only aggregated summary statistics of the trace are embedded here: the node inventory as
 * (model, GPUs, CPU, memory) groups with node counts, and the task-shape mix of
 * {@code openb_pod_list_default.csv} as (CPU, memory, GPU count, GPU milli) shapes with per-QoS
 * counts. See {@code docs/synthetic-workload.md} for how the tables were derived.
 *
 * <p>Tasks are drawn i.i.d. from the shape mix with a {@link SplittableRandom} seeded by the caller,
 * so a seed always gives the same list. The generator never reads a file.
 */
public final class SyntheticOpenb {

    /** Number of pods in {@code openb_pod_list_default.csv}; the size of {@link #defaultTasks}. */
    public static final int DEFAULT_TASK_COUNT = 8152;

    /** Fixed seed of the shuffle that interleaves the node groups (the trace lists them mixed, too). */
    private static final long NODE_ORDER_SEED = 1213L;

    // ---------------------------------------------------------------------------------------------
    // Node inventory: openb_node_list_gpu_node.csv grouped by (model, gpu, cpu_milli, memory_mib).
    // ---------------------------------------------------------------------------------------------

    private static final String[] NODE_MODEL = {
            "A10", "G2", "G3", "P100", "P100", "P100", "P100", "T4", "T4",
            "V100M16", "V100M16", "V100M16", "V100M16", "V100M32", "V100M32"};

    /** {gpus per node, cpu milli, memory MiB, node count}, parallel to {@link #NODE_MODEL}. */
    private static final int[][] NODE_GROUP = {
            {1, 128000, 1048576, 2},
            {8, 96000, 393216, 549},
            {8, 128000, 786432, 39},
            {1, 8000, 61440, 3},
            {2, 8000, 61440, 2},
            {2, 16000, 122880, 107},
            {2, 64000, 262144, 22},
            {2, 104000, 524288, 387},
            {4, 96000, 393216, 17},
            {1, 8000, 32768, 19},
            {4, 32000, 131072, 28},
            {8, 64000, 262144, 7},
            {8, 82000, 344064, 1},
            {4, 48000, 376832, 9},
            {8, 96000, 786432, 21}};

    // ---------------------------------------------------------------------------------------------
    // Task-shape mix: openb_pod_list_default.csv grouped by (cpu_milli, memory_mib, num_gpu,
    // gpu_milli); per shape, the number of pods with qos LS, BE, Burstable, Guaranteed.
    // 151 shapes, 8152 pods. Sorted by (num_gpu, gpu_milli, cpu_milli, memory_mib).
    // ---------------------------------------------------------------------------------------------

    private static final int CPU = 0;
    private static final int MEM = 1;
    private static final int GPU = 2;
    private static final int MILLI = 3;
    private static final int QOS0 = 4;
    private static final Qos[] QOS_COLUMNS = {Qos.LS, Qos.BE, Qos.BURSTABLE, Qos.GUARANTEED};

    /** {cpu milli, memory MiB, GPU count, GPU milli, #LS, #BE, #Burstable, #Guaranteed}. */
    private static final int[][] SHAPES = {
            {8000, 8192, 0, 0, 2, 0, 0, 0}, {8000, 15625, 0, 0, 11, 0, 0, 0}, {8000, 16384, 0, 0, 1, 0, 0, 1},
            {8000, 30517, 0, 0, 0, 163, 0, 0}, {8000, 31250, 0, 0, 5, 0, 0, 0}, {8000, 61035, 0, 0, 0, 1, 0, 0},
            {8000, 62500, 0, 0, 1, 0, 0, 0}, {10000, 48828, 0, 0, 1, 0, 0, 0}, {11400, 57344, 0, 0, 11, 0, 0, 0},
            {12000, 24576, 0, 0, 3, 0, 1, 0}, {12500, 57344, 0, 0, 364, 0, 0, 0}, {12500, 65536, 0, 0, 2, 0, 0, 0},
            {15400, 51200, 0, 0, 120, 0, 0, 0}, {16000, 15625, 0, 0, 1, 0, 0, 0}, {16000, 16384, 0, 0, 1, 0, 0, 0},
            {16000, 31250, 0, 0, 8, 0, 0, 0}, {16000, 32768, 0, 0, 0, 2, 0, 0}, {16000, 62500, 0, 0, 1, 0, 0, 0},
            {16000, 65536, 0, 0, 1, 0, 0, 0}, {16500, 51200, 0, 0, 95, 0, 0, 0}, {20000, 65536, 0, 0, 2, 0, 0, 0},
            {32000, 32768, 0, 0, 2, 0, 0, 0}, {32000, 49152, 0, 0, 0, 284, 0, 0}, {32000, 62500, 0, 0, 3, 0, 0, 0},
            {32000, 65536, 0, 0, 1, 0, 0, 0}, {4000, 15258, 1, 50, 0, 3, 0, 0}, {6000, 22888, 1, 50, 0, 4, 0, 0},
            {4000, 15258, 1, 110, 1, 7, 0, 0}, {4000, 22888, 1, 110, 0, 9, 0, 0}, {4000, 30517, 1, 110, 0, 1, 0, 0},
            {6000, 22888, 1, 110, 0, 4, 0, 0}, {8000, 30517, 1, 110, 0, 2, 0, 0}, {1000, 2048, 1, 140, 0, 1, 0, 0},
            {4000, 15258, 1, 160, 0, 53, 0, 0}, {4000, 22888, 1, 160, 0, 1, 0, 0}, {6000, 22888, 1, 160, 0, 20, 0, 0},
            {4000, 15258, 1, 220, 0, 24, 0, 0}, {4000, 22888, 1, 220, 0, 11, 0, 0}, {4000, 30517, 1, 220, 0, 8, 0, 0},
            {8000, 30517, 1, 220, 0, 19, 0, 0}, {4000, 15258, 1, 230, 0, 12, 0, 0}, {4000, 22888, 1, 230, 0, 26, 0, 0},
            {4000, 30517, 1, 230, 0, 84, 0, 0}, {8000, 30517, 1, 230, 0, 18, 0, 0}, {4152, 10600, 1, 270, 0, 4, 0, 0},
            {1000, 2048, 1, 290, 0, 1, 0, 0}, {1000, 2048, 1, 320, 0, 22, 0, 0}, {4000, 15258, 1, 320, 0, 78, 0, 0},
            {4000, 22888, 1, 320, 0, 111, 0, 0}, {4000, 30517, 1, 320, 0, 43, 0, 0}, {6000, 30517, 1, 320, 0, 2, 0, 0},
            {8000, 30517, 1, 320, 0, 72, 0, 0}, {4000, 22888, 1, 330, 0, 7, 0, 0}, {4000, 22888, 1, 350, 0, 6, 0, 0},
            {2000, 8192, 1, 370, 2, 0, 0, 0}, {4152, 10600, 1, 370, 0, 45, 0, 0}, {8000, 30517, 1, 440, 1, 1, 0, 0},
            {6000, 6144, 1, 460, 51, 0, 0, 0}, {6000, 8192, 1, 460, 9, 0, 0, 0}, {6000, 12288, 1, 460, 29, 0, 0, 0},
            {6000, 16384, 1, 460, 7, 0, 0, 0}, {6000, 18432, 1, 460, 18, 0, 0, 0}, {6000, 23552, 1, 460, 6, 0, 0, 0},
            {8000, 16000, 1, 460, 2, 0, 0, 0}, {12000, 18432, 1, 460, 6, 0, 0, 0}, {4000, 15258, 1, 470, 0, 2, 0, 0},
            {8000, 30517, 1, 470, 2, 358, 0, 0}, {11908, 47104, 1, 470, 388, 0, 0, 0}, {4000, 22888, 1, 480, 0, 18, 0, 0},
            {8000, 30517, 1, 480, 0, 1, 0, 0}, {4152, 10600, 1, 550, 0, 72, 0, 0}, {3152, 5600, 1, 590, 0, 75, 0, 0},
            {1000, 2048, 1, 650, 0, 2, 0, 0}, {4000, 15258, 1, 650, 0, 2, 0, 0}, {8000, 30517, 1, 650, 0, 12, 0, 0},
            {11908, 47104, 1, 650, 237, 0, 0, 0}, {3152, 5600, 1, 810, 0, 1047, 0, 0}, {4152, 10600, 1, 810, 0, 31, 0, 0},
            {1000, 6144, 1, 1000, 15, 0, 0, 0}, {2000, 8192, 1, 1000, 3, 0, 0, 0}, {2000, 16384, 1, 1000, 5, 0, 0, 0},
            {3152, 5600, 1, 1000, 0, 470, 0, 0}, {4000, 4096, 1, 1000, 1, 0, 0, 0}, {4000, 8192, 1, 1000, 1, 0, 0, 0},
            {4000, 16384, 1, 1000, 8, 0, 0, 0}, {4000, 24576, 1, 1000, 104, 0, 0, 0}, {4000, 31250, 1, 1000, 40, 0, 0, 0},
            {4000, 32768, 1, 1000, 5, 0, 0, 0}, {5000, 10240, 1, 1000, 1, 0, 0, 0}, {6000, 8192, 1, 1000, 0, 0, 0, 1},
            {6000, 16384, 1, 1000, 1, 0, 0, 0}, {6000, 32768, 1, 1000, 6, 0, 0, 0}, {7000, 30000, 1, 1000, 0, 0, 11, 0},
            {8000, 8192, 1, 1000, 1, 0, 0, 0}, {8000, 15625, 1, 1000, 1, 0, 0, 0}, {8000, 16384, 1, 1000, 101, 0, 3, 0},
            {8000, 24576, 1, 1000, 1, 0, 0, 0}, {8000, 32768, 1, 1000, 50, 5, 0, 0}, {8000, 65536, 1, 1000, 2, 0, 0, 0},
            {8200, 33792, 1, 1000, 41, 0, 0, 0}, {8710, 41560, 1, 1000, 0, 1, 0, 0}, {9400, 52224, 1, 1000, 6, 0, 0, 0},
            {9810, 41560, 1, 1000, 195, 0, 0, 0}, {11300, 23552, 1, 1000, 1, 0, 0, 0}, {11300, 37888, 1, 1000, 16, 0, 0, 0},
            {11300, 49152, 1, 1000, 857, 0, 0, 0}, {11400, 48128, 1, 1000, 534, 0, 0, 0}, {11400, 77824, 1, 1000, 65, 0, 0, 0},
            {11800, 78848, 1, 1000, 1, 0, 0, 0}, {11900, 43008, 1, 1000, 4, 0, 0, 0}, {11900, 77824, 1, 1000, 51, 0, 0, 0},
            {11908, 47104, 1, 1000, 0, 153, 0, 0}, {12000, 12288, 1, 1000, 1, 0, 0, 0}, {12000, 15360, 1, 1000, 44, 0, 0, 0},
            {12000, 16000, 1, 1000, 2, 0, 0, 0}, {12000, 16384, 1, 1000, 99, 0, 0, 0}, {12000, 23552, 1, 1000, 2, 0, 0, 0},
            {12000, 24576, 1, 1000, 101, 0, 52, 5}, {12000, 32768, 1, 1000, 8, 0, 0, 0}, {12000, 47104, 1, 1000, 0, 0, 8, 0},
            {12000, 49152, 1, 1000, 3, 0, 1, 0}, {14000, 0, 1, 1000, 0, 0, 1, 0}, {14200, 58368, 1, 1000, 93, 0, 0, 0},
            {14900, 73728, 1, 1000, 8, 0, 0, 0}, {15200, 80896, 1, 1000, 36, 0, 0, 0}, {15400, 90112, 1, 1000, 9, 0, 0, 0},
            {15700, 58368, 1, 1000, 158, 0, 0, 0}, {15900, 90112, 1, 1000, 1, 0, 0, 0}, {16000, 16384, 1, 1000, 2, 0, 0, 0},
            {16000, 24576, 1, 1000, 1, 0, 0, 0}, {16000, 31250, 1, 1000, 3, 0, 0, 0}, {16000, 32768, 1, 1000, 108, 0, 0, 0},
            {16000, 49152, 1, 1000, 3, 0, 0, 0}, {16000, 65536, 1, 1000, 33, 0, 0, 0}, {16400, 84992, 1, 1000, 2, 0, 0, 0},
            {16400, 125952, 1, 1000, 27, 0, 0, 0}, {18708, 64512, 1, 1000, 255, 0, 0, 0}, {24200, 93184, 1, 1000, 84, 0, 0, 0},
            {6000, 65536, 2, 1000, 3, 0, 0, 0}, {14000, 60000, 2, 1000, 0, 0, 1, 0}, {16200, 66560, 2, 1000, 7, 0, 0, 0},
            {17400, 43008, 2, 1000, 2, 0, 0, 0}, {30200, 160768, 2, 1000, 3, 0, 0, 0}, {32000, 131072, 4, 1000, 2, 0, 1, 0},
            {32200, 132096, 4, 1000, 9, 0, 0, 0}, {60200, 320512, 4, 1000, 3, 0, 0, 0}, {64000, 262144, 8, 1000, 3, 0, 0, 0},
            {64200, 263168, 8, 1000, 18, 0, 0, 0}, {88000, 327680, 8, 1000, 0, 0, 18, 0}, {120000, 737280, 8, 1000, 0, 0, 3, 0},
            {120200, 640000, 8, 1000, 2, 0, 0, 0}
    };

    // Flattened (shape, qos) cells with a positive count, and their cumulative counts for sampling.
    private static final int[] CELL_SHAPE;
    private static final Qos[] CELL_QOS;
    private static final int[] CELL_CUMULATIVE;
    private static final int SHAPE_TOTAL;

    private static final List<NodeSpec> NODES;

    static {
        int cells = 0;
        for (int[] s : SHAPES) {
            for (int q = 0; q < QOS_COLUMNS.length; q++) {
                if (s[QOS0 + q] > 0) {
                    cells++;
                }
            }
        }
        CELL_SHAPE = new int[cells];
        CELL_QOS = new Qos[cells];
        CELL_CUMULATIVE = new int[cells];
        int c = 0;
        int total = 0;
        for (int i = 0; i < SHAPES.length; i++) {
            int[] s = SHAPES[i];
            // Fails fast on a typo in the table: every shape must satisfy the TaskSpec invariants.
            TaskSpec.of("shape-check", s[CPU], s[MEM], s[GPU], s[MILLI]);
            for (int q = 0; q < QOS_COLUMNS.length; q++) {
                int n = s[QOS0 + q];
                if (n > 0) {
                    total += n;
                    CELL_SHAPE[c] = i;
                    CELL_QOS[c] = QOS_COLUMNS[q];
                    CELL_CUMULATIVE[c] = total;
                    c++;
                }
            }
        }
        SHAPE_TOTAL = total;
        if (SHAPE_TOTAL != DEFAULT_TASK_COUNT) {
            throw new IllegalStateException("shape table sums to " + SHAPE_TOTAL + ", expected " + DEFAULT_TASK_COUNT);
        }
        NODES = buildNodes();
    }

    private SyntheticOpenb() {
    }

    /**
     * The openb GPU-node inventory: 1213 nodes, 6212 GPUs, same (model, GPUs, CPU, memory) groups and
     * counts as the trace; names "synth-node-0000"... The groups are interleaved by a fixed-seed
     * shuffle (like the trace, which lists them mixed), so the result is the same on every call.
     */
    public static List<NodeSpec> nodes() {
        return NODES;
    }

    /**
     * {@code count} tasks drawn i.i.d. from the openb default task-shape mix (CPU milli, memory MiB, GPU
     * count, GPU milli) with the given seed; names "synth-pod-00000"..., sorted by name; no gpu_spec
     * constraint, qos drawn jointly with the shape from the trace's per-shape QoS counts, times -1.
     * Names are zero-padded to at least five digits (more when {@code count > 100000}) so that
     * name order equals index order.
     */
    public static List<TaskSpec> tasks(int count, long seed) {
        if (count < 0) {
            throw new IllegalArgumentException("count must be >= 0, got " + count);
        }
        SplittableRandom rng = new SplittableRandom(seed);
        int width = Math.max(5, Integer.toString(Math.max(0, count - 1)).length());
        TaskSpec[] out = new TaskSpec[count];
        char[] name = newNameBuffer("synth-pod-", width);
        for (int i = 0; i < count; i++) {
            int cell = cellOf(rng.nextInt(SHAPE_TOTAL));
            int[] s = SHAPES[CELL_SHAPE[cell]];
            out[i] = TaskSpec.openb(fillName(name, i, width), s[CPU], s[MEM], s[GPU], s[MILLI],
                    "", 0L, CELL_QOS[cell], -1, -1, -1);
        }
        return Collections.unmodifiableList(Arrays.asList(out));
    }

    /** The default size: as many tasks as openb default (8152). */
    public static List<TaskSpec> defaultTasks(long seed) {
        return tasks(DEFAULT_TASK_COUNT, seed);
    }

    /** Number of distinct (CPU, memory, GPU count, GPU milli) shapes in the embedded mix. */
    static int shapeCount() {
        return SHAPES.length;
    }

    /** Pods in the embedded mix with {@code gpuCount == g} (and, when {@code sharing}, milli &lt; 1000). */
    static int traceCount(int gpuCount, boolean sharing) {
        int n = 0;
        for (int[] s : SHAPES) {
            if (s[GPU] == gpuCount && (s[MILLI] < 1000) == sharing) {
                for (int q = 0; q < QOS_COLUMNS.length; q++) {
                    n += s[QOS0 + q];
                }
            }
        }
        return n;
    }

    /** Smallest cell whose cumulative count exceeds {@code r} (0 &lt;= r &lt; SHAPE_TOTAL). */
    private static int cellOf(int r) {
        int lo = 0;
        int hi = CELL_CUMULATIVE.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (CELL_CUMULATIVE[mid] > r) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    private static List<NodeSpec> buildNodes() {
        int total = 0;
        for (int[] g : NODE_GROUP) {
            total += g[3];
        }
        int[] group = new int[total];
        int k = 0;
        for (int i = 0; i < NODE_GROUP.length; i++) {
            for (int j = 0; j < NODE_GROUP[i][3]; j++) {
                group[k++] = i;
            }
        }
        SplittableRandom rng = new SplittableRandom(NODE_ORDER_SEED);
        for (int i = total - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = group[i];
            group[i] = group[j];
            group[j] = t;
        }
        int width = Math.max(4, Integer.toString(total - 1).length());
        char[] name = newNameBuffer("synth-node-", width);
        List<NodeSpec> out = new ArrayList<>(total);
        for (int i = 0; i < total; i++) {
            int[] g = NODE_GROUP[group[i]];
            int model = GpuModels.idOf(NODE_MODEL[group[i]]);
            if (model < 0) {
                throw new IllegalStateException("unknown GPU model " + NODE_MODEL[group[i]]);
            }
            out.add(new NodeSpec(fillName(name, i, width), g[1], g[2], g[0], model));
        }
        return Collections.unmodifiableList(out);
    }

    private static char[] newNameBuffer(String prefix, int width) {
        char[] buf = new char[prefix.length() + width];
        prefix.getChars(0, prefix.length(), buf, 0);
        return buf;
    }

    /** Writes {@code value} zero-padded into the last {@code width} chars of {@code buf}. */
    private static String fillName(char[] buf, int value, int width) {
        int v = value;
        for (int p = buf.length - 1; p >= buf.length - width; p--) {
            buf[p] = (char) ('0' + v % 10);
            v /= 10;
        }
        return new String(buf);
    }
}
