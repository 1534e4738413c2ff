package io.archipelago.cli;

import java.util.ArrayList;
import java.util.List;

/** Parses seed lists such as {@code 42-51} or {@code 42,45,50-51}. */
final class SeedRange {
    private SeedRange() {
    }

    static List<Long> parse(String text) {
        List<Long> out = new ArrayList<>();
        for (String part : text.split(",")) {
            String p = part.trim();
            try {
                int dash = p.indexOf('-', 1);
                if (dash > 0) {
                    long a = Long.parseLong(p.substring(0, dash).trim());
                    long b = Long.parseLong(p.substring(dash + 1).trim());
                    if (b < a || b - a > 100_000) {
                        throw new IllegalArgumentException("seed range '" + p + "' must run upwards and hold at most 100001 seeds, e.g. 42-51");
                    }
                    for (long s = a; s <= b; s++) {
                        out.add(s);
                    }
                } else {
                    out.add(Long.parseLong(p));
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("seeds '" + text + "': '" + p + "' is not a number or range; use e.g. 42-51 or 42,43,47");
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("no seeds given; use e.g. --seeds 42-51");
        }
        return out;
    }
}
