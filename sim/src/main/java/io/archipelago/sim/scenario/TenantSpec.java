package io.archipelago.sim.scenario;

/**
 * A tenant with a GPU quota. YAML: {@code {name: research, guaranteed_gpus: 400, max_gpus: 800, weight: 1, share: 0.5}}.
 *
 * @param name           {@code [a-z0-9][a-z0-9-]*}, unique
 * @param guaranteedGpus GPUs the tenant is always entitled to (≥ 0, default 0)
 * @param maxGpus        GPU ceiling (≥ guaranteed), or {@link #UNLIMITED} (-1, YAML {@code unlimited}, the default)
 * @param weight         fair-share weight for capacity above the guarantees (&gt; 0, default 1)
 * @param share          share of the workload's tasks submitted by this tenant; shares sum to 1
 */
public record TenantSpec(String name, int guaranteedGpus, int maxGpus, double weight, double share) {
    /** {@link #maxGpus()} value meaning "no ceiling". */
    public static final int UNLIMITED = -1;

    /** The single tenant of a scenario without a {@code tenants} key. */
    public static final TenantSpec DEFAULT = new TenantSpec("default", 0, UNLIMITED, 1.0, 1.0);

    /** True when the tenant has no GPU ceiling. */
    public boolean unlimited() {
        return maxGpus == UNLIMITED;
    }
}
