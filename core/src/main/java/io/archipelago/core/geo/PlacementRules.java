package io.archipelago.core.geo;

import java.util.List;
import java.util.Objects;

/**
 * Where a job may run: the region its users or data are in, the jurisdictions or regions its data may
 * be processed in, and the round-trip latency it tolerates to its origin. A site is allowed when its
 * region's jurisdiction is in {@code jurisdictions} (or that list is empty), its region is in
 * {@code regions} (or that list is empty), and the round trip from {@code origin} to its region is at
 * most {@code latencySloMs} (or there is no SLO).
 *
 * @param origin        region id where the job's users or data are, or null for none (then no SLO)
 * @param jurisdictions allowed jurisdictions; empty = any
 * @param regions       allowed region ids; empty = any
 * @param latencySloMs  largest round trip to {@code origin}, ms; {@link #NO_SLO} (-1) = none
 */
public record PlacementRules(String origin, List<String> jurisdictions, List<String> regions, int latencySloMs) {
    /** {@link #latencySloMs()} value meaning "no latency requirement". */
    public static final int NO_SLO = -1;
    /** No rule at all: any site. */
    public static final PlacementRules ANYWHERE = new PlacementRules(null, List.of(), List.of(), NO_SLO);

    public PlacementRules {
        jurisdictions = List.copyOf(jurisdictions);
        regions = List.copyOf(regions);
        if (latencySloMs < NO_SLO) {
            throw new IllegalArgumentException("latency SLO " + latencySloMs + " ms; expected >= 0, or -1 for none");
        }
        if (latencySloMs != NO_SLO && origin == null) {
            throw new IllegalArgumentException("a latency SLO of " + latencySloMs + " ms needs an origin region to measure from");
        }
    }

    /** Rules that only record the origin. */
    public static PlacementRules from(String origin) {
        return new PlacementRules(Objects.requireNonNull(origin, "origin"), List.of(), List.of(), NO_SLO);
    }

    /** True when the job has a residency restriction. */
    public boolean restrictsResidency() {
        return !jurisdictions.isEmpty() || !regions.isEmpty();
    }

    /** True when the job has a latency SLO. */
    public boolean hasSlo() {
        return latencySloMs != NO_SLO;
    }

    /** A short description, e.g. {@code origin ap-southeast-5, residency ID, RTT <= 20 ms}. */
    public String describe() {
        StringBuilder b = new StringBuilder(origin == null ? "no origin" : "origin " + origin);
        if (!jurisdictions.isEmpty()) {
            b.append(", jurisdictions ").append(String.join("|", jurisdictions));
        }
        if (!regions.isEmpty()) {
            b.append(", regions ").append(String.join("|", regions));
        }
        if (hasSlo()) {
            b.append(", RTT <= ").append(latencySloMs).append(" ms");
        }
        return b.toString();
    }
}
