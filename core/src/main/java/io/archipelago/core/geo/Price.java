package io.archipelago.core.geo;

import java.util.Objects;

/**
 * List prices of one GPU model in one region, USD per GPU-hour.
 *
 * @param gpuModel GPU model name
 * @param region   region id
 * @param onDemand on-demand price (&gt; 0)
 * @param spot     spot price (&gt; 0, at most on-demand)
 * @param reserved price under a reservation (&gt; 0, at most on-demand)
 */
public record Price(String gpuModel, String region, double onDemand, double spot, double reserved) {
    public Price {
        Objects.requireNonNull(gpuModel, "gpuModel");
        Objects.requireNonNull(region, "region");
        if (!(onDemand > 0) || !(spot > 0) || !(reserved > 0) || spot > onDemand || reserved > onDemand) {
            throw new IllegalArgumentException("price of " + gpuModel + " in " + region + ": on-demand " + onDemand + ", spot " + spot
                    + ", reserved " + reserved + "; expected all > 0 and spot, reserved <= on-demand");
        }
    }

    /** The price for {@code tier}. */
    public double of(Tier tier) {
        return switch (tier) {
            case ON_DEMAND -> onDemand;
            case SPOT -> spot;
            case RESERVED -> reserved;
        };
    }
}
