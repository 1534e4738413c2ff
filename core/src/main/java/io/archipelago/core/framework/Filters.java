package io.archipelago.core.framework;

import io.archipelago.core.cluster.ClusterState;
import io.archipelago.core.model.TaskSpec;

import java.util.List;

/**
 * The standard hard-constraint filters: node availability, GPU model, CPU, memory and GPU fit (the
 * kube-scheduler {@code NodeResourcesFit} filter plus the Open-Gpu-Share GPU filter of the FGD study),
 * RDMA share, and the per-node instance limit of a task's group. Each check
 * is a static method; the four plugins and the fused {@link #resourceFit()} plugin call the same
 * methods, so they cannot disagree.
 */
public final class Filters {
    private Filters() {
    }

    /** Availability, model, CPU, memory, GPU, RDMA and per-node group limit, in that order, as plugins. */
    public static List<FilterPlugin> standard() {
        return List.of(AVAILABLE, GPU_MODEL, CPU, MEMORY, GPU, RDMA, GROUP_LIMIT);
    }

    /** A node that is down (an outage) fits nothing; neither does a cordoned one. */
    public static Reason checkAvailable(ClusterState s, int node, TaskSpec t) {
        return !s.isUp(node) ? Reason.NODE_UNAVAILABLE : s.isCordoned(node) ? Reason.NODE_CORDONED : Reason.FITS;
    }

    /** Free RDMA share covers the request. */
    public static Reason checkRdma(ClusterState s, int node, TaskSpec t) {
        return t.rdma() == 0 || s.rdmaFree(node) >= t.rdma() ? Reason.FITS : Reason.INSUFFICIENT_RDMA;
    }

    /** Fewer than {@code maxPerNode} tasks of the task's group already on the node. */
    public static Reason checkGroupLimit(ClusterState s, int node, TaskSpec t) {
        return t.maxPerNode() == 0 || s.groupCount(node, t.group()) < t.maxPerNode() ? Reason.FITS : Reason.INSTANCE_LIMIT;
    }

    /**
     * The four standard checks fused into one plugin (one call per node instead of four on the hot
     * path), with the same order and the same reasons as {@link #standard()}. Every check reads only the node's state and
     * the task's shape, so its verdict may be cached per (shape, node version).
     */
    public static FilterPlugin resourceFit() {
        return RESOURCE_FIT;
    }

    /** A task with an allowed-model list only goes to a node whose model is in it. */
    public static Reason checkModel(ClusterState s, int node, TaskSpec t) {
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

    /** Free CPU covers the request. */
    public static Reason checkCpu(ClusterState s, int node, TaskSpec t) {
        return s.cpuFree(node) >= t.cpuMilli() ? Reason.FITS : Reason.INSUFFICIENT_CPU;
    }

    /** Free memory covers the request. */
    public static Reason checkMemory(ClusterState s, int node, TaskSpec t) {
        return s.memFree(node) >= t.memoryMib() ? Reason.FITS : Reason.INSUFFICIENT_MEMORY;
    }

    /**
     * GPU fit: a 1-GPU task needs one GPU with ≥ g free; a k-GPU task needs k GPUs with ≥ g free
     * (for whole GPUs: k fully free GPUs).
     */
    public static Reason checkGpu(ClusterState s, int node, TaskSpec t) {
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

    /** The shape of a check, so that a method reference can become a named plugin. */
    @FunctionalInterface
    private interface Check {
        Reason filter(ClusterState s, int node, TaskSpec t);
    }

    private static FilterPlugin plugin(String name, Check check) {
        return new FilterPlugin() {
            @Override
            public Reason filter(ClusterState s, int node, TaskSpec t) {
                return check.filter(s, node, t);
            }

            @Override
            public String name() {
                return name;
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }

    /** Plugin form of {@link #checkAvailable}. */
    public static final FilterPlugin AVAILABLE = plugin("Available", Filters::checkAvailable);
    /** Plugin form of {@link #checkRdma}. */
    public static final FilterPlugin RDMA = plugin("Rdma", Filters::checkRdma);
    /** Plugin form of {@link #checkGroupLimit}. */
    public static final FilterPlugin GROUP_LIMIT = plugin("GroupLimit", Filters::checkGroupLimit);
    /** Plugin form of {@link #checkModel}. */
    public static final FilterPlugin GPU_MODEL = plugin("GpuModel", Filters::checkModel);
    /** Plugin form of {@link #checkCpu}. */
    public static final FilterPlugin CPU = plugin("Cpu", Filters::checkCpu);
    /** Plugin form of {@link #checkMemory}. */
    public static final FilterPlugin MEMORY = plugin("Memory", Filters::checkMemory);
    /** Plugin form of {@link #checkGpu}. */
    public static final FilterPlugin GPU = plugin("Gpu", Filters::checkGpu);

    /** Its own class (not {@link #plugin}) so the JIT can inline the four static checks. */
    private static final FilterPlugin RESOURCE_FIT = new FilterPlugin() {
        @Override
        public Reason filter(ClusterState s, int node, TaskSpec t) {
            Reason r = checkAvailable(s, node, t);
            if (r == Reason.FITS) {
                r = checkModel(s, node, t);
            }
            if (r == Reason.FITS) {
                r = checkCpu(s, node, t);
            }
            if (r == Reason.FITS) {
                r = checkMemory(s, node, t);
            }
            if (r == Reason.FITS) {
                r = checkGpu(s, node, t);
            }
            if (r == Reason.FITS) {
                r = checkRdma(s, node, t);
            }
            if (r == Reason.FITS) {
                r = checkGroupLimit(s, node, t);
            }
            return r;
        }

        @Override
        public String name() {
            return "ResourceFit";
        }
    };
}
