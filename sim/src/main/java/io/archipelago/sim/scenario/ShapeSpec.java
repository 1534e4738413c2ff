package io.archipelago.sim.scenario;

/**
 * One task shape of a generated workload, drawn with probability proportional to {@code weight}.
 * YAML: {@code {cpu: 8, memory_gib: 32, gpus: 1, gpu_milli: 500, weight: 3}}.
 *
 * @param cpuMilli  CPU request, milli-cores (YAML {@code cpu} in cores)
 * @param memoryMib memory request, MiB (YAML {@code memory_gib} × 1024)
 * @param gpus      GPUs, 0..16
 * @param gpuMilli  milli-GPU per GPU: 0 when {@code gpus == 0}, 1000 when {@code gpus > 1}, 1..1000 for one GPU
 * @param weight    relative frequency (&gt; 0; 1 for a gang worker)
 */
public record ShapeSpec(int cpuMilli, long memoryMib, int gpus, int gpuMilli, double weight) {
}
