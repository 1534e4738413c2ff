package io.archipelago.sim.trace;

import io.archipelago.core.model.NodeSpec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads the disaggregated DLRM inference trace ({@code disaggregated_DLRM_trace.csv}; the copy in
 * the shared folder is {@code traces/dlrm/}, 23,871 instances). Each row is one instance of an
 * application with a role: in the real file {@code HN} instances ask for one GPU each and {@code CN}
 * instances for none.
 *
 * <p>Required columns: {@code instance_sn,role,app_name,cpu_request,gpu_request,rdma_request,
 * memory_request,max_instance_per_node,creation_time,scheduled_time,deletion_time}; optional:
 * {@code cpu_limit,gpu_limit,rdma_limit,memory_limit,disk_request,disk_limit}, checked to be empty or
 * non-negative numbers and otherwise ignored. Units in the file and in {@link DlrmInstance}:
 * <ul>
 *   <li>{@code cpu_request}: cores, fractions allowed → milli-cores, rounded;</li>
 *   <li>{@code gpu_request}: GPUs, 0..16; a whole {@code k} is {@code k} GPUs of 1000 milli-GPU, a
 *       fraction between 0 and 1 (e.g. {@code 0.5}) is one shared GPU of that many thousandths;</li>
 *   <li>{@code rdma_request}: a whole percent 0..100 of the node's RDMA bandwidth;</li>
 *   <li>{@code memory_request}: GiB, fractions allowed (e.g. {@code 120.0}) → MiB, rounded;</li>
 *   <li>{@code max_instance_per_node}: {@code -1} (unlimited, stored as 0) or a positive whole number;</li>
 *   <li>{@code creation_time,scheduled_time,deletion_time}: seconds from the trace start, fractions
 *       allowed (e.g. {@code 475.00000000000006}) → milliseconds, rounded; empty reads as -1 (7,280
 *       instances of the real file already exist when the trace starts and have no times).</li>
 * </ul>
 * Instance names are unique; role and application are non-empty; {@code deletion_time} is not before
 * {@code creation_time} when both are given. Every row is validated; the first problem throws
 * {@link TraceFormatException} naming file, line, column, value and what was expected, and nothing is
 * returned.
 */
public final class DlrmCsvReader {
    private static final Set<String> REQUIRED = new LinkedHashSet<>(List.of("instance_sn", "role", "app_name", "cpu_request",
            "gpu_request", "rdma_request", "memory_request", "max_instance_per_node", "creation_time", "scheduled_time",
            "deletion_time"));
    private static final Set<String> OPTIONAL = new LinkedHashSet<>(List.of("cpu_limit", "gpu_limit", "rdma_limit", "memory_limit",
            "disk_request", "disk_limit"));
    /** Plain decimal, no sign: {@code 12}, {@code 120.0}, {@code .5}, {@code 1e-05}. */
    private static final Pattern DECIMAL = Pattern.compile("(\\d+(\\.\\d*)?|\\.\\d+)([eE][-+]?\\d+)?");
    private static final Pattern WHOLE = Pattern.compile("\\d{1,10}");
    private static final long MAX_CORES = Integer.MAX_VALUE / 1000;
    private static final long MAX_GIB = 1L << 40;
    private static final long MAX_SECONDS = 1_000_000_000_000L;

    private DlrmCsvReader() {
    }

    /** All instances of the file, in file order. */
    public static List<DlrmInstance> read(Path path) {
        CsvTable t = CsvTable.read(path, REQUIRED, OPTIONAL);
        List<DlrmInstance> out = new ArrayList<>(t.rows.size());
        Set<String> names = new HashSet<>();
        for (int r = 0; r < t.rows.size(); r++) {
            String name = t.text(r, "instance_sn");
            if (name.isEmpty()) {
                throw t.error(r, "instance_sn", name, "a non-empty instance name");
            }
            if (!names.add(name)) {
                throw t.error(r, "instance_sn", name, "a unique instance name (this one appeared before)");
            }
            String role = t.text(r, "role");
            if (role.isEmpty()) {
                throw t.error(r, "role", role, "a non-empty role (HN or CN in the DLRM trace)");
            }
            String app = t.text(r, "app_name");
            if (app.isEmpty()) {
                throw t.error(r, "app_name", app, "a non-empty application name");
            }
            int cpu = (int) Math.round(decimal(t, r, "cpu_request", MAX_CORES,
                    "a number of cores from 0 to " + MAX_CORES + " (fractions allowed)") * 1000);
            double gpu = decimal(t, r, "gpu_request", NodeSpec.MAX_GPUS, gpuExpectation());
            int gpuCount;
            int gpuMilli;
            if (gpu == Math.rint(gpu)) {
                gpuCount = (int) gpu;
                gpuMilli = gpuCount == 0 ? 0 : 1000;
            } else if (gpu < 1) {
                gpuCount = 1;
                gpuMilli = (int) Math.round(gpu * 1000);
                if (gpuMilli == 0) {
                    throw t.error(r, "gpu_request", t.text(r, "gpu_request"), "0 or at least 0.001 GPU (one milli-GPU)");
                }
            } else {
                throw t.error(r, "gpu_request", t.text(r, "gpu_request"), gpuExpectation());
            }
            int rdma = (int) t.nonNegative(r, "rdma_request", 100);
            long mem = Math.round(decimal(t, r, "memory_request", MAX_GIB,
                    "a memory size in GiB from 0 to " + MAX_GIB + " (fractions allowed)") * 1024);
            int maxPerNode = maxInstancePerNode(t, r);
            long created = seconds(t, r, "creation_time");
            long scheduled = seconds(t, r, "scheduled_time");
            long deleted = seconds(t, r, "deletion_time");
            if (created >= 0 && deleted >= 0 && deleted < created) {
                throw t.error(r, "deletion_time", t.text(r, "deletion_time"), "a time not before creation_time "
                        + t.text(r, "creation_time") + " (an instance cannot end before it starts)");
            }
            for (String limit : OPTIONAL) {
                if (t.has(limit) && !t.text(r, limit).isEmpty()) {
                    decimal(t, r, limit, Double.MAX_VALUE, "empty or a non-negative number");
                }
            }
            out.add(new DlrmInstance(name, role, app, cpu, gpuCount, gpuMilli, rdma, mem, maxPerNode, created, scheduled, deleted));
        }
        return List.copyOf(out);
    }

    private static String gpuExpectation() {
        return "a whole number of GPUs from 0 to " + NodeSpec.MAX_GPUS + ", or a fraction between 0 and 1 for a shared GPU";
    }

    /** {@code -1} (unlimited) reads as 0; otherwise a positive whole number. */
    private static int maxInstancePerNode(CsvTable t, int r) {
        String v = t.text(r, "max_instance_per_node");
        if (v.equals("-1")) {
            return 0;
        }
        if (WHOLE.matcher(v).matches()) {
            long k = Long.parseLong(v);
            if (k >= 1 && k <= Integer.MAX_VALUE) {
                return (int) k;
            }
        }
        throw t.error(r, "max_instance_per_node", v, "-1 (unlimited) or a whole number from 1 to " + Integer.MAX_VALUE);
    }

    /** An optional time in seconds, as milliseconds rounded to the nearest; empty means -1. */
    private static long seconds(CsvTable t, int r, String column) {
        if (t.text(r, column).isEmpty()) {
            return -1;
        }
        return Math.round(decimal(t, r, column, MAX_SECONDS,
                "empty or a time in seconds from 0 to " + MAX_SECONDS + " (fractions allowed)") * 1000);
    }

    /** A non-negative decimal number no larger than {@code max}, or the error stating {@code expected}. */
    private static double decimal(CsvTable t, int r, String column, double max, String expected) {
        String v = t.text(r, column);
        if (DECIMAL.matcher(v).matches()) {
            double x = Double.parseDouble(v);
            if (x <= max) {
                return x;
            }
        }
        throw t.error(r, column, v, expected);
    }
}
