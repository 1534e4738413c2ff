package io.archipelago.sim.trace;

import java.util.Objects;

/**
 * One row of the disaggregated DLRM inference trace, converted to engine units (milli-cores,
 * milli-GPU, MiB, milliseconds). Built by {@link DlrmCsvReader}, which validates every field.
 *
 * @param name               the instance's unique name ({@code instance_sn}, e.g. {@code instance_0})
 * @param role               the instance's role ({@code role}); {@code HN} or {@code CN} in the real
 *                           file, any non-empty text accepted
 * @param app                the application the instance belongs to ({@code app_name}, e.g. {@code app_0})
 * @param cpuMilli           requested CPU in milli-cores ({@code cpu_request} cores × 1000, rounded)
 * @param gpuCount           number of GPUs requested: 0, or the whole part of {@code gpu_request},
 *                           or 1 for a fractional request between 0 and 1
 * @param gpuMilli           milli-GPU requested on each GPU: 0 when {@code gpuCount} is 0, 1000 for a
 *                           whole-GPU request, {@code gpu_request} × 1000 (rounded) for a fraction
 * @param rdmaPercent        share of the node's RDMA bandwidth requested, percent 0..100
 *                           ({@code rdma_request})
 * @param memoryMib          requested memory in MiB ({@code memory_request} GiB × 1024, rounded)
 * @param maxInstancePerNode most instances of this kind one node may host; 0 means unlimited
 *                           ({@code -1} in the file)
 * @param creationMs         creation time, ms from the trace start ({@code creation_time} seconds ×
 *                           1000, rounded), or -1 when the file leaves it empty
 * @param scheduledMs        time the instance was scheduled, ms, or -1 when empty
 * @param deletionMs         deletion time, ms, or -1 when empty (still running at the trace's end);
 *                           never before {@code creationMs} when both are known
 */
public record DlrmInstance(String name, String role, String app, int cpuMilli, int gpuCount, int gpuMilli, int rdmaPercent,
                           long memoryMib, int maxInstancePerNode, long creationMs, long scheduledMs, long deletionMs) {
    public DlrmInstance {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(app, "app");
    }
}
