package io.archipelago.core.framework;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A validated scheduling profile: the filters in order, the weighted score plugins, the GPU
 * selector and the binder. Build with {@link #builder(String)}; {@link Builder#build()} rejects an
 * invalid profile with a message naming the plugin.
 */
public final class Profile {
    /** A score plugin with its weight. */
    public record WeightedScore(ScorePlugin plugin, int weight) {
    }

    private final String name;
    private final List<FilterPlugin> filters;
    private final List<WeightedScore> scores;
    private final GpuSelector gpuSelector;
    private final BindPlugin binder;

    private Profile(Builder b) {
        this.name = b.name;
        this.filters = List.copyOf(b.filters);
        this.scores = List.copyOf(b.scores);
        this.gpuSelector = b.gpuSelector;
        this.binder = b.binder;
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    public String name() { return name; }
    public List<FilterPlugin> filters() { return filters; }
    public List<WeightedScore> scores() { return scores; }
    public GpuSelector gpuSelector() { return gpuSelector; }
    public BindPlugin binder() { return binder; }

    /** Profile builder. */
    public static final class Builder {
        private final String name;
        private final List<FilterPlugin> filters = new ArrayList<>();
        private final List<WeightedScore> scores = new ArrayList<>();
        private GpuSelector gpuSelector;
        private BindPlugin binder = BindPlugin.IN_MEMORY;

        private Builder(String name) {
            this.name = Objects.requireNonNull(name, "profile name");
        }

        public Builder filter(FilterPlugin f) {
            filters.add(Objects.requireNonNull(f, "filter"));
            return this;
        }

        public Builder score(ScorePlugin s, int weight) {
            scores.add(new WeightedScore(Objects.requireNonNull(s, "score plugin"), weight));
            return this;
        }

        public Builder gpuSelector(GpuSelector g) {
            this.gpuSelector = g;
            return this;
        }

        public Builder binder(BindPlugin b) {
            this.binder = b;
            return this;
        }

        public Profile build() {
            if (filters.isEmpty()) {
                throw new IllegalArgumentException("profile " + name + ": no filter plugin; add at least the resource filters (Filters.standard())");
            }
            if (gpuSelector == null) {
                throw new IllegalArgumentException("profile " + name + ": no GPU selector; set one, e.g. GpuSelectors.bestFit()");
            }
            if (binder == null) {
                throw new IllegalArgumentException("profile " + name + ": no binder");
            }
            Set<String> seen = new HashSet<>();
            long total = 0;
            for (WeightedScore w : scores) {
                if (w.weight() <= 0) {
                    throw new IllegalArgumentException("profile " + name + ": score plugin " + w.plugin().name()
                            + " has weight " + w.weight() + "; weights must be positive (remove the plugin to disable it)");
                }
                if (!seen.add(w.plugin().name())) {
                    throw new IllegalArgumentException("profile " + name + ": score plugin " + w.plugin().name() + " is listed twice");
                }
                total += (long) w.weight() * ScorePlugin.MAX_SCORE;
            }
            if (total > Integer.MAX_VALUE / 2) {
                throw new IllegalArgumentException("profile " + name + ": weights sum to " + (total / ScorePlugin.MAX_SCORE)
                        + ", which could overflow the integer total score; use smaller weights");
            }
            return new Profile(this);
        }
    }
}
