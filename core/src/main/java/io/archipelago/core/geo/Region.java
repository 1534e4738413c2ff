package io.archipelago.core.geo;

import java.util.Objects;

/**
 * A cloud region: a metro area under one jurisdiction, holding zero or more sites.
 *
 * @param id           the region id, e.g. {@code ap-southeast-1}
 * @param name         a human name, e.g. {@code Singapore}
 * @param jurisdiction the legal jurisdiction whose data rules apply, e.g. {@code SG} (residency rules name these)
 * @param zones        availability zones in the region (≥ 0; informational)
 */
public record Region(String id, String name, String jurisdiction, int zones) {
    public Region {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(jurisdiction, "jurisdiction");
        if (zones < 0) {
            throw new IllegalArgumentException("region " + id + ": zones " + zones + "; expected >= 0");
        }
    }
}
