package io.archipelago.sim.scenario;

/**
 * A scenario file that cannot be used. The message names the file, the line (1-based), the dotted
 * key path ({@code fleet.node_types[0].gpus}), the offending value and what was expected, e.g.
 * {@code scenarios/x.yaml, line 12, key fleet.kind: value 'foo': expected one of openb, spot-gpu,
 * generated, sized}. The parser throws it before returning anything, so a caller never sees a
 * half-read scenario.
 */
public final class ScenarioException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String file;
    private final int line;
    private final String key;
    private final String value;
    private final String problem;

    /**
     * @param file    the source name (a path or a label such as {@code <inline>})
     * @param line    1-based line, or 0 when the problem concerns the whole file
     * @param key     dotted key path, or null when the problem concerns the whole file
     * @param value   the offending scalar as written, or null (absent key, list, mapping)
     * @param problem what was expected and, where possible, how to fix it
     */
    public ScenarioException(String file, int line, String key, String value, String problem) {
        this(file, line, key, value, problem, null);
    }

    public ScenarioException(String file, int line, String key, String value, String problem, Throwable cause) {
        super(format(file, line, key, value, problem), cause);
        this.file = file;
        this.line = line;
        this.key = key;
        this.value = value;
        this.problem = problem;
    }

    private static String format(String file, int line, String key, String value, String problem) {
        StringBuilder sb = new StringBuilder(file);
        if (line > 0) {
            sb.append(", line ").append(line);
        }
        if (key != null && !key.isEmpty()) {
            sb.append(", key ").append(key);
        }
        if (value != null) {
            sb.append(": value '").append(value).append('\'');
        }
        sb.append(": ").append(problem);
        return sb.toString();
    }

    /** The source name given to the parser (the path for {@link ScenarioParser#parse(java.nio.file.Path)}). */
    public String file() {
        return file;
    }

    /** 1-based line of the offending key or value; 0 when the problem concerns the whole file. */
    public int line() {
        return line;
    }

    /** Dotted key path such as {@code tenants[1].max_gpus}; null when the problem concerns the whole file. */
    public String key() {
        return key;
    }

    /** The offending scalar as written in the file; null for a missing key, a list or a mapping. */
    public String value() {
        return value;
    }

    /** The message without the location prefix: what was expected and how to fix it. */
    public String problem() {
        return problem;
    }
}
