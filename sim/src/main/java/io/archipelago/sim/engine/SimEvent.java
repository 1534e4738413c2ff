package io.archipelago.sim.engine;

/** The simulator's events: sealed, typed, immutable. */
public sealed interface SimEvent {
    /** Job {@code job} of the workload arrives. */
    record Arrival(int job) implements SimEvent {
    }

    /** Run number {@code run} of job {@code job} ends (ignored if the job was evicted since). */
    record Finish(int job, int run) implements SimEvent {
    }

    /** Outage {@code outage} begins: its nodes go down and their jobs requeue. */
    record OutageStart(int outage) implements SimEvent {
    }

    /** Outage {@code outage} ends: its nodes come back. */
    record OutageEnd(int outage) implements SimEvent {
    }

    /** Job {@code job}, queued since its run number {@code run} ended or never started, waited too long. */
    record WaitTimeout(int job, int run) implements SimEvent {
    }

    /** Take one row of the time series. */
    record Sample() implements SimEvent {
        static final Sample INSTANCE = new Sample();
    }
}
