package io.archipelago.sim.scenario;

import java.util.List;
import java.util.Objects;

/**
 * One simulation experiment as read from a scenario file ({@code ./archipelago simulate
 * SCENARIO.yaml}): the fleet, the workload, the placement policy, the queue, the tenants and the
 * outages. Every value is validated by {@link ScenarioParser}; the file format is documented in
 * {@code docs/scenario-format.md}.
 *
 * @param name          scenario name, {@code [a-z0-9][a-z0-9-]*} (used for report folders)
 * @param description   free text, "" by default
 * @param seed          seed of every random draw in the run (default 42)
 * @param horizonMs     simulated time to stop at, ms; {@link #UNTIL_DRAINED} (-1) runs until the
 *                      workload drains (YAML {@code horizon: end}, the default)
 * @param fleet         the machines
 * @param workload      the tasks
 * @param policy        the placement profile (default FGD)
 * @param queue         queueing and backfill
 * @param preemption    whether higher classes may preempt lower ones (default true)
 * @param tenants       at least one tenant; shares sum to 1
 * @param outages       node failures to inject, in file order (may be empty)
 * @param sampleEveryMs metric sampling period, ms; {@link #AUTO_SAMPLE} (0) lets the simulator choose
 * @param check         run expensive invariant checks after every event (default false)
 * @param startDate     calendar day of simulated time 0 (UTC midnight; default 2026-01-01): months of the
 *                      economics ledger and site opening dates count from it
 */
public record Scenario(String name, String description, long seed, long horizonMs, FleetSpec fleet,
                       WorkloadSpec workload, PolicySpec policy, QueueSpec queue, boolean preemption,
                       List<TenantSpec> tenants, List<OutageSpec> outages, long sampleEveryMs, boolean check,
                       java.time.LocalDate startDate) {
    /** {@link #horizonMs()} value meaning "run until the workload drains". */
    public static final long UNTIL_DRAINED = -1;
    /** {@link #sampleEveryMs()} value meaning "the simulator picks the sampling period". */
    public static final long AUTO_SAMPLE = 0;
    /** {@link #startDate()} when the file gives none. */
    public static final java.time.LocalDate DEFAULT_START = java.time.LocalDate.of(2026, 1, 1);

    public Scenario {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(fleet, "fleet");
        Objects.requireNonNull(workload, "workload");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(queue, "queue");
        Objects.requireNonNull(startDate, "startDate");
        tenants = List.copyOf(tenants);
        outages = List.copyOf(outages);
        if (tenants.isEmpty()) {
            throw new IllegalArgumentException("scenario " + name + ": no tenants; use List.of(TenantSpec.DEFAULT) for one default tenant");
        }
    }

    /** True when the run stops only once the workload drains. */
    public boolean untilDrained() {
        return horizonMs == UNTIL_DRAINED;
    }
}
