package io.archipelago.sim.scenario;

import io.archipelago.core.geo.SiteWeights;

import java.util.List;

/**
 * The placement profile: either a named policy of {@link io.archipelago.core.policy.Policies}
 * ({@code policy: FGD}) or a weighted mix of score plugins
 * ({@code policy: {scores: [{plugin: BestFit, weight: 2}, {plugin: FGD, weight: 1}], gpu_selector: best-fit}}).
 * Exactly one of {@code name} and {@code scores} is set.
 *
 * @param name        canonical policy name, or null when {@code scores} is given
 * @param scores      weighted score plugins (canonical names, no duplicates), empty when {@code name} is given
 * @param gpuSelector one of {@link #GPU_SELECTORS}, or null for the selector of the named policy
 *                    (of the first plugin's policy when {@code scores} is given)
 * @param sites       weights of the site-level scores on a multi-region fleet ({@code sites:}; ignored on
 *                    a fleet without regions)
 */
public record PolicySpec(String name, List<WeightedPlugin> scores, String gpuSelector, SiteWeights sites) {
    /** The GPU-selection rules accepted by {@code gpu_selector}. */
    public static final List<String> GPU_SELECTORS = List.of("best-fit", "random", "lowest-indexed", "tightest-first", "fgd");

    /** The policy used when the file has no {@code policy} key. */
    public static final PolicySpec DEFAULT = named("FGD");

    /** A policy with the default site weights. */
    public PolicySpec(String name, List<WeightedPlugin> scores, String gpuSelector) {
        this(name, scores, gpuSelector, SiteWeights.DEFAULT);
    }

    public PolicySpec {
        java.util.Objects.requireNonNull(sites, "sites");
        scores = List.copyOf(scores);
        if ((name == null) == scores.isEmpty()) {
            throw new IllegalArgumentException("policy needs exactly one of name and scores; got name " + name
                    + " and " + scores.size() + " score plugins");
        }
    }

    /** A named policy with its own GPU selector. */
    public static PolicySpec named(String name) {
        return new PolicySpec(name, List.of(), null);
    }

    /** The policy whose GPU selector applies when {@link #gpuSelector()} is null. */
    public String selectorPolicy() {
        return name != null ? name : scores.get(0).plugin();
    }
}
