package io.archipelago.sim.trace;

/**
 * Malformed trace input. The message names the file, the line (1-based, the header is line 1),
 * the column, the offending value and what was expected. Readers throw it before returning
 * anything, so a caller never sees a half-loaded trace.
 */
public final class TraceFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String file;
    private final int line;
    private final String column;
    private final String value;

    public TraceFormatException(String file, int line, String column, String value, String expected) {
        super(format(file, line, column, value, expected));
        this.file = file;
        this.line = line;
        this.column = column;
        this.value = value;
    }

    private static String format(String file, int line, String column, String value, String expected) {
        StringBuilder sb = new StringBuilder(file);
        if (line > 0) {
            sb.append(", line ").append(line);
        }
        if (column != null) {
            sb.append(", column ").append(column);
        }
        if (value != null) {
            sb.append(": value '").append(value).append('\'');
        }
        sb.append(": expected ").append(expected);
        return sb.toString();
    }

    public String file() { return file; }
    public int line() { return line; }
    public String column() { return column; }
    public String value() { return value; }
}
