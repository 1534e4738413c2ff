package io.archipelago.sim.scenario;

import java.math.BigDecimal;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one duration syntax of scenario files: an integer or decimal number with an optional unit
 * {@code ms}, {@code s}, {@code m}, {@code h} or {@code d} ({@code 250ms}, {@code 90s},
 * {@code 1.5h}, {@code 7d}). A bare number means seconds. Negative values and fractions of a
 * millisecond are rejected; digits may be grouped with underscores ({@code 86_400}).
 */
public final class Durations {
    /** The syntax, for error messages. */
    public static final String SYNTAX =
            "a duration such as 250ms, 90s, 10m, 1.5h or 7d (units ms, s, m, h, d; a bare number means seconds)";

    private static final Pattern DURATION = Pattern.compile("([0-9]+(?:_[0-9]+)*(?:\\.[0-9]+)?)\\s*(ms|s|m|h|d)?");
    private static final long SECOND = 1000L;
    private static final long MINUTE = 60 * SECOND;
    private static final long HOUR = 60 * MINUTE;
    private static final long DAY = 24 * HOUR;

    private Durations() {
    }

    /**
     * Parses {@code text} into milliseconds.
     *
     * @throws IllegalArgumentException naming the text and the expected syntax
     */
    public static long parseDurationMs(String text) {
        if (text == null) {
            throw new IllegalArgumentException("no duration given; expected " + SYNTAX);
        }
        String problem = problem(text);
        if (problem != null) {
            throw new IllegalArgumentException("bad duration '" + text + "': " + problem);
        }
        return valueMs(text);
    }

    /**
     * Why {@code text} is not a valid duration, without repeating the text, or null if it is valid.
     * The parser uses this to build messages that already carry the value.
     */
    static String problem(String text) {
        String t = text.trim();
        if (t.isEmpty()) {
            return "empty; expected " + SYNTAX;
        }
        if (t.startsWith("-")) {
            return "negative durations are not allowed; expected " + SYNTAX;
        }
        Matcher m = DURATION.matcher(t);
        if (!m.matches()) {
            return "expected " + SYNTAX;
        }
        BigDecimal ms = new BigDecimal(m.group(1).replace("_", "")).multiply(BigDecimal.valueOf(unitMs(m.group(2))));
        if (ms.stripTrailingZeros().scale() > 0) {
            return "not a whole number of milliseconds; use a coarser precision or the unit ms";
        }
        if (ms.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            return "too large; expected at most " + Long.MAX_VALUE + "ms";
        }
        return null;
    }

    private static long valueMs(String text) {
        Matcher m = DURATION.matcher(text.trim());
        if (!m.matches()) {
            throw new AssertionError(text);
        }
        return new BigDecimal(m.group(1).replace("_", "")).multiply(BigDecimal.valueOf(unitMs(m.group(2)))).longValueExact();
    }

    private static long unitMs(String unit) {
        if (unit == null) {
            return SECOND;
        }
        switch (unit) {
            case "ms":
                return 1;
            case "s":
                return SECOND;
            case "m":
                return MINUTE;
            case "h":
                return HOUR;
            case "d":
                return DAY;
            default:
                throw new AssertionError(unit);
        }
    }

    /**
     * The shortest exact spelling of {@code ms} in the largest whole unit ({@code 600000 → "10m"},
     * {@code 5400000 → "90m"}, {@code 1500 → "1500ms"}); the inverse of {@link #parseDurationMs}.
     */
    public static String format(long ms) {
        if (ms < 0) {
            throw new IllegalArgumentException("negative duration " + ms + "ms cannot be formatted");
        }
        if (ms == 0) {
            return "0s";
        }
        long[] units = {DAY, HOUR, MINUTE, SECOND};
        String[] names = {"d", "h", "m", "s"};
        for (int i = 0; i < units.length; i++) {
            if (ms % units[i] == 0) {
                return ms / units[i] + names[i];
            }
        }
        return ms + "ms";
    }
}
