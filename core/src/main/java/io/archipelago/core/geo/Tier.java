package io.archipelago.core.geo;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** How a job is sold: at the on-demand list price, at the spot price, or under a reservation. */
public enum Tier {
    ON_DEMAND("on-demand"), SPOT("spot"), RESERVED("reserved");

    private final String label;

    Tier(String label) {
        this.label = label;
    }

    /** The name used in files and reports ({@code on-demand}, {@code spot}, {@code reserved}). */
    public String label() {
        return label;
    }

    /** The tier named {@code s} (its label, case-insensitive); fails naming the accepted labels. */
    public static Tier parse(String s) {
        for (Tier t : values()) {
            if (t.label.equals(s.toLowerCase(Locale.ROOT))) {
                return t;
            }
        }
        throw new IllegalArgumentException("tier '" + s + "': expected one of "
                + Arrays.stream(values()).map(Tier::label).collect(Collectors.joining(", ")));
    }
}
