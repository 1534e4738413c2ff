package io.archipelago.sim.scenario;

/**
 * A group of identical nodes. YAML: {@code {count: 64, gpus: 8, gpu_model: H100, cpu: 96, memory_gib: 768}}.
 *
 * @param count     number of nodes (≥ 1; 0 in the template of a {@link FleetSpec.Sized} fleet)
 * @param gpus      GPUs per node, 0..16
 * @param gpuModel  a name from {@link io.archipelago.core.model.GpuModels#names()}; null iff {@code gpus == 0}
 * @param cpuMilli  allocatable CPU, milli-cores (YAML {@code cpu} in cores, may be fractional)
 * @param memoryMib allocatable memory, MiB (YAML {@code memory_gib} × 1024)
 */
public record NodeType(int count, int gpus, String gpuModel, int cpuMilli, long memoryMib) {
}
