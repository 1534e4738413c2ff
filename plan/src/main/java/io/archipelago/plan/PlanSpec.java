package io.archipelago.plan;

import io.archipelago.core.geo.RegionalFleet;
import io.archipelago.core.geo.Site;
import io.archipelago.sim.scenario.MultiRegionSpec;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A capacity-planning problem, as read from a {@code PLAN.yaml} by {@link PlanParser} (the format is in
 * docs/planning.md): the fleet as it stands, the demand forecast, the candidate expansions, the
 * constraints and the named alternatives to compare. Immutable; every value is already validated.
 *
 * @param name         plan name
 * @param description  free text
 * @param seed         seed of every simulation the planner runs (calibration, verification)
 * @param start        first day of the first planned quarter (1 January, April, July or October)
 * @param quarters     planning horizon in quarters
 * @param fleet        the fleet as it stands (sites opening later than {@code start} open on their date)
 * @param workload     the multi-region workload's job classes, residency mix and daily cycle; its span,
 *                     load and origins are set by the planner from the demand
 * @param demand       the demand forecast, one line per (region, class)
 * @param newSites     sites that do not exist yet and that candidates may build
 * @param candidates   the investments the planner may choose, each at most once
 * @param constraints  budget and service level
 * @param alternatives named plans to compare with the optimum
 * @param calibration  how the engine's packing efficiency and service headroom are measured
 * @param verification how the chosen plans are checked by simulation
 */
public record PlanSpec(String name, String description, long seed, LocalDate start, int quarters, RegionalFleet fleet,
                       MultiRegionSpec workload, List<DemandLine> demand, List<Site> newSites, List<Candidate> candidates,
                       Constraints constraints, List<Alternative> alternatives, Calibration calibration,
                       Verification verification) {
    public PlanSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(fleet, "fleet");
        Objects.requireNonNull(workload, "workload");
        demand = List.copyOf(demand);
        newSites = List.copyOf(newSites);
        candidates = List.copyOf(candidates);
        alternatives = List.copyOf(alternatives);
        if (quarters < 1) {
            throw new IllegalArgumentException("quarters " + quarters + "; expected >= 1");
        }
    }

    /** First day of quarter {@code q} (0 = the first planned quarter). */
    public LocalDate quarterStart(int q) {
        return start.plusMonths(3L * q);
    }

    /** "2027-Q3" for quarter {@code q}. */
    public String quarterLabel(int q) {
        LocalDate d = quarterStart(q);
        return d.getYear() + "-Q" + ((d.getMonthValue() - 1) / 3 + 1);
    }

    /**
     * One line of the forecast: mean busy GPUs of one job class whose users are in one region.
     *
     * @param region      origin region id
     * @param jobClass    job class of the workload (inference, training, batch)
     * @param gpus        mean busy GPUs in the first quarter (before seasonality)
     * @param growth      growth per year (0.4 = +40 %/year), compounded quarterly
     * @param seasonality factor per calendar quarter (Q1..Q4), mean 1
     * @param source      where the line came from ("file" or the fitted history with its fit)
     */
    public record DemandLine(String region, String jobClass, double gpus, double growth, double[] seasonality, String source) {
        public DemandLine {
            if (seasonality.length != 4) {
                throw new IllegalArgumentException("seasonality of " + region + "/" + jobClass + ": " + seasonality.length
                        + " factors; expected 4 (Q1..Q4)");
            }
            seasonality = seasonality.clone();
        }

        /** Mean busy GPUs in quarter {@code q} of a plan starting in calendar quarter {@code firstCalendarQuarter} (0..3). */
        public double at(int q, int firstCalendarQuarter) {
            return gpus * Math.pow(1 + growth, q / 4.0) * seasonality[(firstCalendarQuarter + q) % 4];
        }

        @Override
        public double[] seasonality() {
            return seasonality.clone();
        }
    }

    /**
     * One investment the planner may choose: a pool of identical servers in an existing or a new site.
     *
     * @param name          candidate name
     * @param site          the site it goes in (an existing site of the fleet or one of {@link #newSites()})
     * @param region        the site's region
     * @param poolName      the pool name the servers get
     * @param gpuModel      GPU model
     * @param gpusPerNode   GPUs per server
     * @param cpuCores      CPU cores per server
     * @param memoryGib     memory per server
     * @param peakKw        peak IT power per server
     * @param avgKw         average IT power per busy server
     * @param capexPerNode  server price, USD
     * @param nodes         servers
     * @param leadQuarters  whole quarters from the decision (and the payment) to the opening
     * @param earliest      the earliest day it may open
     */
    public record Candidate(String name, String site, String region, String poolName, String gpuModel, int gpusPerNode, int cpuCores,
                            int memoryGib, double peakKw, double avgKw, double capexPerNode, int nodes, int leadQuarters,
                            LocalDate earliest) {
        public long gpus() {
            return (long) gpusPerNode * nodes;
        }

        /** Peak facility power the pool needs, MW (peak IT × PUE). */
        public double powerMw(double pue) {
            return peakKw * nodes * pue / 1000.0;
        }

        /** Cash spent when the build starts: servers, plus the facility for their peak IT load. */
        public double capexUsd(double buildUsdPerWatt) {
            return nodes * (capexPerNode + peakKw * 1000.0 * buildUsdPerWatt);
        }
    }

    /**
     * @param budgetPerYear  capex budget per plan year (the last value repeats for later years), USD
     * @param waitP95Ms      the service level: 95th percentile of waiting time at most this
     * @param sloAttainment  ... and at least this share of jobs with a latency SLO meet it
     */
    public record Constraints(List<Double> budgetPerYear, long waitP95Ms, double sloAttainment) {
        public Constraints {
            budgetPerYear = List.copyOf(budgetPerYear);
        }

        /** The budget of plan year {@code y} (0-based), or +∞ when none is set. */
        public double budget(int y) {
            if (budgetPerYear.isEmpty()) {
                return Double.POSITIVE_INFINITY;
            }
            return budgetPerYear.get(Math.min(y, budgetPerYear.size() - 1));
        }
    }

    /**
     * A named alternative: some candidates forced to open in a given quarter, some excluded, the rest
     * chosen by the optimiser under the same constraints.
     *
     * @param name     what it is called in the report
     * @param open     candidate name → the day it opens (its quarter)
     * @param exclude  candidates it must not build
     */
    public record Alternative(String name, Map<String, LocalDate> open, List<String> exclude) {
        public Alternative {
            open = Map.copyOf(open);
            exclude = List.copyOf(exclude);
        }
    }

    /**
     * @param loads       offered loads of the service sweep (ascending)
     * @param saturation  offered load of the packing-efficiency run (above 1: every pool has a queue)
     * @param warmupMs    simulated warm-up before measuring
     * @param windowMs    simulated time measured
     */
    public record Calibration(List<Double> loads, double saturation, long warmupMs, long windowMs) {
        public Calibration {
            loads = List.copyOf(loads);
        }
    }

    /**
     * @param enabled  whether the chosen plans are simulated quarter by quarter
     * @param warmupMs simulated warm-up before each quarter's measured window
     * @param windowMs simulated time measured per quarter
     */
    public record Verification(boolean enabled, long warmupMs, long windowMs) {
    }
}
