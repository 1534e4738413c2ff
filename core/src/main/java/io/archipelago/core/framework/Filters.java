package io.archipelago.core.framework;

import io.archipelago.core.cluster.ClusterState;
import io.archipelago.core.model.TaskSpec;

import java.util.List;

/**
 * The standard hard-constraint filters: GPU model, CPU, memory and GPU fit (the kube-scheduler
 * {@code NodeResourcesFit} filter plus the Open-Gpu-Share GPU filter of the FGD study).
 */
public final class Filters {
    private Filters() {
    }

    /** Model filter, CPU, memory, GPU, in that order. */
    public static List<FilterPlugin> standard() {
        return List.of(GPU_MODEL, CPU, MEMORY, GPU);
    }

    /**
     * The four standard checks fused into one plugin (one call per node instead of four on the hot
     * path), with the same order and the same reasons as {@link #standard()}.
     */
    public static FilterPlugin resourceFit() {
        return RESOURCE_FIT;
    }

    private static final FilterPlugin RESOURCE_FIT = new FilterPlugin() {
        @Override
        public Reason filter(ClusterState s, int node, TaskSpec t) {
            int k = t.gpuCount();
            long allowed = t.allowedModels();
            if (allowed != 0 && k > 0) {
                int m = s.model(node);
                if (m < 0) {
                    return Reason.NO_GPU;
                }
                if ((allowed & (1L << m)) == 0) {
                    return Reason.MODEL_NOT_ALLOWED;
                }
            }
            if (s.cpuFree(node) < t.cpuMilli()) {
                return Reason.INSUFFICIENT_CPU;
            }
            if (s.memFree(node) < t.memoryMib()) {
                return Reason.INSUFFICIENT_MEMORY;
            }
            if (k == 0) {
                return Reason.FITS;
            }
            if (s.gpuCount(node) == 0) {
                return Reason.NO_GPU;
            }
            int g = t.gpuMilli();
            boolean ok = k == 1 ? s.maxGpuFree(node) >= g : s.gpusWithAtLeast(node, g) >= k;
            return ok ? Reason.FITS : Reason.INSUFFICIENT_GPU;
        }

        @Override
        public String name() {
            return "ResourceFit";
        }
    };

    /** A task with an allowed-model list only goes to a node whose model is in it. */
    public static final FilterPlugin GPU_MODEL = new FilterPlugin() {
        @Override
        public Reason filter(ClusterState s, int node, TaskSpec t) {
            long allowed = t.allowedModels();
            if (allowed == 0 || t.gpuCount() == 0) {
                return Reason.FITS;
            }
            int m = s.model(node);
            if (m < 0) {
                return Reason.NO_GPU;
            }
            return (allowed & (1L << m)) != 0 ? Reason.FITS : Reason.MODEL_NOT_ALLOWED;
        }

        @Override
        public String name() {
            return "GpuModel";
        }
    };

    /** Free CPU covers the request. */
    public static final FilterPlugin CPU = new FilterPlugin() {
        @Override
        public Reason filter(ClusterState s, int node, TaskSpec t) {
            return s.cpuFree(node) >= t.cpuMilli() ? Reason.FITS : Reason.INSUFFICIENT_CPU;
        }

        @Override
        public String name() {
            return "Cpu";
        }
    };

    /** Free memory covers the request. */
    public static final FilterPlugin MEMORY = new FilterPlugin() {
        @Override
        public Reason filter(ClusterState s, int node, TaskSpec t) {
            return s.memFree(node) >= t.memoryMib() ? Reason.FITS : Reason.INSUFFICIENT_MEMORY;
        }

        @Override
        public String name() {
            return "Memory";
        }
    };

    /**
     * GPU fit: a 1-GPU task needs one GPU with ≥ g free; a k-GPU task needs k GPUs with ≥ g free
     * (for whole GPUs: k fully free GPUs).
     */
    public static final FilterPlugin GPU = new FilterPlugin() {
        @Override
        public Reason filter(ClusterState s, int node, TaskSpec t) {
            int k = t.gpuCount();
            if (k == 0) {
                return Reason.FITS;
            }
            if (s.gpuCount(node) == 0) {
                return Reason.NO_GPU;
            }
            int g = t.gpuMilli();
            boolean ok = k == 1 ? s.maxGpuFree(node) >= g : s.gpusWithAtLeast(node, g) >= k;
            return ok ? Reason.FITS : Reason.INSUFFICIENT_GPU;
        }

        @Override
        public String name() {
            return "Gpu";
        }
    };
}
