package io.archipelago.sim.scenario;

/** How tasks of a generated workload arrive ({@code arrivals: {process: ...}}). */
public sealed interface ArrivalSpec permits ArrivalSpec.Poisson, ArrivalSpec.Bursty {

    /** Mean arrival rate over a long run, tasks per second. */
    double meanRatePerSecond();

    /** {@code {process: poisson, rate_per_s: 40}}: exponential inter-arrival times. */
    record Poisson(double ratePerSecond) implements ArrivalSpec {
        @Override
        public double meanRatePerSecond() {
            return ratePerSecond;
        }
    }

    /**
     * {@code {process: bursty, rate_per_s: 10, burst_rate_per_s: 200, burst_every: 1h, burst_length: 5m}}:
     * Poisson at {@code ratePerSecond}, switching to {@code burstRatePerSecond} for
     * {@code burstLengthMs} at the start of every {@code burstEveryMs} period
     * ({@code burstLengthMs < burstEveryMs}).
     */
    record Bursty(double ratePerSecond, double burstRatePerSecond, long burstEveryMs, long burstLengthMs) implements ArrivalSpec {
        @Override
        public double meanRatePerSecond() {
            double f = (double) burstLengthMs / burstEveryMs;
            return f * burstRatePerSecond + (1 - f) * ratePerSecond;
        }
    }
}
