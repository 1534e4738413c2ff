package io.archipelago.sim.scenario;

/**
 * How long a generated task runs ({@code durations: {distribution: ...}}). Draws above
 * {@code maxMs} are capped at it; {@link #NO_MAX} (-1) means no cap.
 */
public sealed interface DurationSpec
        permits DurationSpec.Lognormal, DurationSpec.Pareto, DurationSpec.Exponential, DurationSpec.Fixed {

    /** {@code maxMs} value meaning "no cap". */
    long NO_MAX = -1;

    /** The cap on a drawn duration, ms, or {@link #NO_MAX}. */
    long maxMs();

    /** {@code {distribution: lognormal, median: 10m, sigma: 1.5, max: 7d}}. */
    record Lognormal(long medianMs, double sigma, long maxMs) implements DurationSpec {
    }

    /** {@code {distribution: pareto, min: 1m, alpha: 1.2, max: 7d}}: heavy-tailed with scale {@code minMs}. */
    record Pareto(long minMs, double alpha, long maxMs) implements DurationSpec {
    }

    /** {@code {distribution: exponential, mean: 30m, max: 1d}}. */
    record Exponential(long meanMs, long maxMs) implements DurationSpec {
    }

    /** {@code {distribution: fixed, value: 10m}}: every task runs exactly {@code ms}. */
    record Fixed(long ms) implements DurationSpec {
        @Override
        public long maxMs() {
            return ms;
        }
    }
}
