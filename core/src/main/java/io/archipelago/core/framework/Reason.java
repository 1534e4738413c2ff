package io.archipelago.core.framework;

/**
 * Why a node cannot host a task. Filters return one of these; {@link #FITS} means the node passed.
 * The framework counts reasons across nodes to build explanations such as
 * "0/1213 nodes fit: 870 insufficient GPU, 343 GPU model not allowed".
 */
public enum Reason {
    FITS("fits"),
    NODE_UNAVAILABLE("node unavailable"),
    MODEL_NOT_ALLOWED("GPU model not allowed"),
    NO_GPU("node has no GPU"),
    INSUFFICIENT_CPU("insufficient CPU"),
    INSUFFICIENT_MEMORY("insufficient memory"),
    INSUFFICIENT_GPU("insufficient GPU"),
    INSUFFICIENT_RDMA("insufficient RDMA"),
    INSTANCE_LIMIT("per-node instance limit reached"),
    NODE_CORDONED("node cordoned");

    private final String text;

    Reason(String text) {
        this.text = text;
    }

    /** Human-readable phrase used in explanations. */
    public String text() {
        return text;
    }
}
