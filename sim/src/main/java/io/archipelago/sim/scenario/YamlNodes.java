package io.archipelago.sim.scenario;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Typed, position-aware reads over a composed SnakeYAML node tree. Every read either returns a
 * value or throws a {@link ScenarioException} naming the source, the line, the dotted key path,
 * the offending value and what was expected. Public only so that the fleet-file parser can use it:
 * the parsers' toolbox, not API.
 */
public final class YamlNodes {
    private static final Pattern INT = Pattern.compile("[-+]?[0-9]+(?:_[0-9]+)*");
    private static final Pattern NUMBER =
            Pattern.compile("[-+]?(?:[0-9]+(?:_[0-9]+)*(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][-+]?[0-9]+)?");

    private final String source;

    public YamlNodes(String source) {
        this.source = source;
    }

    public String source() {
        return source;
    }

    // ---------------------------------------------------------------- errors

    public static int line(Node n) {
        return n == null || n.getStartMark() == null ? 0 : n.getStartMark().getLine() + 1;
    }

    public static boolean isNull(Node n) {
        return n instanceof ScalarNode && Tag.NULL.equals(n.getTag());
    }

    public static String describe(Node n) {
        if (n instanceof MappingNode) {
            return "a mapping";
        }
        if (n instanceof SequenceNode) {
            return "a list";
        }
        if (isNull(n)) {
            return "an empty value";
        }
        return "'" + ((ScalarNode) n).getValue() + "'";
    }

    /** An error about node {@code at} (its line, and its value if it is a scalar) at {@code path}. */
    public ScenarioException error(Node at, String path, String problem) {
        String value = at instanceof ScalarNode && !isNull(at) ? ((ScalarNode) at).getValue() : null;
        return new ScenarioException(source, line(at), path, value, problem);
    }

    /** "; did you mean 'x'?" for the closest candidate, or "" if none is close. */
    public static String didYouMean(String input, Collection<String> candidates) {
        String in = input.toLowerCase(Locale.ROOT).replace('-', '_');
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : candidates) {
            String cn = c.toLowerCase(Locale.ROOT).replace('-', '_');
            int d = distance(in, cn);
            boolean prefix = in.length() >= 3 && (cn.startsWith(in) || in.startsWith(cn));
            if (prefix) {
                d = Math.min(d, 2);
            }
            if (d < bestDistance) {
                bestDistance = d;
                best = c;
            }
        }
        int limit = Math.max(2, in.length() / 3);
        return best != null && bestDistance <= limit ? "; did you mean '" + best + "'?" : "";
    }

    /** Optimal-string-alignment distance: insertions, deletions, substitutions, adjacent swaps. */
    public static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }

    // ---------------------------------------------------------------- typed reads of one node

    /** A non-empty scalar's text. */
    public String text(Node n, String path, String expected) {
        if (!(n instanceof ScalarNode) || isNull(n)) {
            throw error(n, path, "expected " + expected + ", got " + describe(n));
        }
        return ((ScalarNode) n).getValue();
    }

    /** A whole number in {@code min..max}; digits may be grouped with underscores. */
    public long integer(Node n, String path, long min, long max) {
        String expected = rangeText(min, max);
        String t = text(n, path, expected).trim();
        if (!INT.matcher(t).matches()) {
            throw error(n, path, "expected " + expected);
        }
        long v;
        try {
            v = Long.parseLong(t.replace("_", "").replace("+", ""));
        } catch (NumberFormatException e) {
            throw error(n, path, "expected " + expected + "; the value does not fit in 64 bits");
        }
        if (v < min || v > max) {
            throw error(n, path, "expected " + expected);
        }
        return v;
    }

    private static String rangeText(long min, long max) {
        if (min == Long.MIN_VALUE && max == Long.MAX_VALUE) {
            return "a whole number";
        }
        if (max == Long.MAX_VALUE || max == Integer.MAX_VALUE) {
            return "a whole number >= " + min;
        }
        return "a whole number in " + min + ".." + max;
    }

    /** A finite decimal number (no NaN, no infinity); range checks are the caller's. */
    public double number(Node n, String path) {
        String t = text(n, path, "a number").trim();
        if (!NUMBER.matcher(t).matches()) {
            throw error(n, path, "expected a number such as 3, 0.5 or 1e-3");
        }
        double v = Double.parseDouble(t.replace("_", ""));
        if (!Double.isFinite(v)) {
            throw error(n, path, "expected a finite number");
        }
        return v;
    }

    /** {@code true} or {@code false} (any case); YAML 1.1's yes/no/on/off are refused as ambiguous. */
    public boolean bool(Node n, String path) {
        String t = text(n, path, "true or false").trim();
        if (t.equalsIgnoreCase("true")) {
            return true;
        }
        if (t.equalsIgnoreCase("false")) {
            return false;
        }
        throw error(n, path, "expected true or false");
    }

    /**
     * A duration ({@link Durations}), or {@code word} (e.g. {@code none}) standing for {@code wordValue}.
     *
     * @param word null when no word is accepted
     */
    public long duration(Node n, String path, String word, long wordValue) {
        String alt = word == null ? "" : ", or '" + word + "'";
        String t = text(n, path, Durations.SYNTAX + alt).trim();
        if (word != null && t.equals(word)) {
            return wordValue;
        }
        String problem = Durations.problem(t);
        if (problem != null) {
            throw error(n, path, problem + alt);
        }
        return Durations.parseDurationMs(t);
    }

    /** One of {@code options}, exactly as spelled there. */
    public String choice(Node n, String path, List<String> options) {
        String expected = "one of " + String.join(", ", options);
        String t = text(n, path, expected).trim();
        if (!options.contains(t)) {
            throw error(n, path, "expected " + expected + didYouMean(t, options));
        }
        return t;
    }

    /** The elements of a list. */
    public List<Node> list(Node n, String path, String expected) {
        if (!(n instanceof SequenceNode)) {
            throw error(n, path, "expected " + expected + ", got " + describe(n));
        }
        return ((SequenceNode) n).getValue();
    }

    /** A mapping, with duplicate and non-scalar keys rejected. */
    public Section section(Node n, String path, String expected) {
        if (!(n instanceof MappingNode)) {
            throw error(n, path, "expected " + expected + ", got " + describe(n));
        }
        return new Section(path, (MappingNode) n);
    }

    public static String child(String path, String key) {
        return path == null || path.isEmpty() ? key : path + "." + key;
    }

    public static String element(String path, int index) {
        return path + "[" + index + "]";
    }

    // ---------------------------------------------------------------- a mapping

    /** One mapping at a key path, with reads by key. Absent keys take the caller's default. */
    public final class Section {
        private final String path;
        private final MappingNode node;
        private final Map<String, Node> keys = new LinkedHashMap<>();
        private final Map<String, Node> values = new LinkedHashMap<>();

        private Section(String path, MappingNode node) {
            this.path = path;
            this.node = node;
            for (NodeTuple t : node.getValue()) {
                Node k = t.getKeyNode();
                if (Tag.MERGE.equals(k.getTag())) {
                    throw new ScenarioException(source, line(k), child(path, "<<"), null,
                            "YAML merge keys (<<) are not supported; write the keys out");
                }
                if (!(k instanceof ScalarNode) || isNull(k)) {
                    throw YamlNodes.this.error(k, path, "expected a plain word as key, got " + describe(k));
                }
                String key = ((ScalarNode) k).getValue();
                Node first = keys.get(key);
                if (first != null) {
                    throw new ScenarioException(source, line(k), child(path, key), null,
                            "duplicate key; first given on line " + line(first) + ". Remove one of them");
                }
                keys.put(key, k);
                values.put(key, t.getValueNode());
            }
        }

        public String path() {
            return path;
        }

        public String path(String key) {
            return child(path, key);
        }

        /** Rejects keys outside {@code allowed}, suggesting the closest and listing all. */
        public Section allow(List<String> allowed, String where) {
            for (Map.Entry<String, Node> e : keys.entrySet()) {
                if (!allowed.contains(e.getKey())) {
                    throw new ScenarioException(source, line(e.getValue()), path(e.getKey()), null,
                            "unknown key '" + e.getKey() + "'" + didYouMean(e.getKey(), allowed)
                                    + "; allowed keys " + where + ": " + String.join(", ", allowed));
                }
            }
            return this;
        }

        public boolean has(String key) {
            return values.containsKey(key);
        }

        public Node get(String key) {
            return values.get(key);
        }

        /** The value node of a required key. */
        public Node require(String key, String hint) {
            Node n = values.get(key);
            if (n == null) {
                throw missing(key, hint);
            }
            return n;
        }

        public ScenarioException missing(String key, String hint) {
            return new ScenarioException(source, line(node), path(key), null,
                    "missing required key '" + key + "'" + (hint == null || hint.isEmpty() ? "" : "; " + hint));
        }

        /** An error about the value of {@code key} (which must be present). */
        public ScenarioException error(String key, String problem) {
            return YamlNodes.this.error(values.get(key), path(key), problem);
        }

        /** Throws {@code problem} at {@code key} unless {@code ok}; a no-op when the key is absent (defaults are valid). */
        public void check(String key, boolean ok, String problem) {
            if (!ok && has(key)) {
                throw error(key, problem);
            }
        }

        /** Throws at {@code key} if both {@code key} and {@code other} are present. */
        public void exclusive(String key, String other, String hint) {
            if (has(key) && has(other)) {
                Node a = keys.get(key);
                Node b = keys.get(other);
                String later = a.getStartMark().getIndex() > b.getStartMark().getIndex() ? key : other;
                String earlier = later.equals(key) ? other : key;
                throw new ScenarioException(source, line(keys.get(later)), path(later), scalar(values.get(later)),
                        "'" + later + "' cannot be combined with '" + earlier + "'; " + hint);
            }
        }

        public List<String> presentKeys() {
            return new ArrayList<>(keys.keySet());
        }

        public int keyLine(String key) {
            return line(keys.get(key));
        }

        public String string(String key, String hint) {
            return text(require(key, hint), path(key), "a text value");
        }

        public String string(String key, String def, boolean allowEmpty) {
            if (!has(key)) {
                return def;
            }
            if (allowEmpty && isNull(get(key))) {
                return def;
            }
            return text(get(key), path(key), "a text value");
        }

        public String choice(String key, String def, List<String> options) {
            if (!has(key)) {
                if (def == null) {
                    throw missing(key, "expected one of " + String.join(", ", options));
                }
                return def;
            }
            return YamlNodes.this.choice(get(key), path(key), options);
        }

        public long integer(String key, long def, long min, long max) {
            return has(key) ? YamlNodes.this.integer(get(key), path(key), min, max) : def;
        }

        public int int32(String key, int def, int min, int max) {
            return (int) integer(key, def, min, max);
        }

        public int requiredInt(String key, int min, int max, String hint) {
            return (int) YamlNodes.this.integer(require(key, hint), path(key), min, max);
        }

        public double number(String key, double def) {
            return has(key) ? YamlNodes.this.number(get(key), path(key)) : def;
        }

        public double requiredNumber(String key, String hint) {
            return YamlNodes.this.number(require(key, hint), path(key));
        }

        public boolean bool(String key, boolean def) {
            return has(key) ? YamlNodes.this.bool(get(key), path(key)) : def;
        }

        public long duration(String key, long def, String word, long wordValue) {
            return has(key) ? YamlNodes.this.duration(get(key), path(key), word, wordValue) : def;
        }

        public long requiredDuration(String key, String word, long wordValue, String hint) {
            return YamlNodes.this.duration(require(key, hint), path(key), word, wordValue);
        }

        public Section section(String key, String expected) {
            return YamlNodes.this.section(require(key, "expected " + expected), path(key), expected);
        }

        public List<Node> list(String key, String expected) {
            return YamlNodes.this.list(require(key, "expected " + expected), path(key), expected);
        }
    }

    private static String scalar(Node n) {
        return n instanceof ScalarNode && !isNull(n) ? ((ScalarNode) n).getValue() : null;
    }

    /**
     * Composes YAML text into a node tree (SnakeYAML's safe constructor, no duplicate or recursive
     * keys); a syntax error becomes a {@link ScenarioException} with the line and a hint.
     */
    public static Node compose(String text, String source) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setAllowRecursiveKeys(false);
        try {
            return new Yaml(new SafeConstructor(options)).compose(new StringReader(text));
        } catch (MarkedYAMLException e) {
            Mark m = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            int line = m == null ? 0 : m.getLine() + 1;
            String problem = e.getProblem() != null ? e.getProblem() : e.getMessage();
            String context = e.getContext() != null ? " (" + e.getContext() + ")" : "";
            throw new ScenarioException(source, line, null, null, "invalid YAML: " + problem + context
                    + "; check the indentation and quoting around this line", e);
        } catch (YAMLException e) {
            throw new ScenarioException(source, 0, null, null, "invalid YAML: " + e.getMessage(), e);
        }
    }

    /**
     * Reads a UTF-8 text file; a missing, unreadable or non-UTF-8 file becomes a {@link ScenarioException}
     * naming it ("no such {@code what} (working directory …); {@code hint}", "save {@code saveAs} as UTF-8").
     */
    public static String read(java.nio.file.Path file, String what, String hint, String saveAs) {
        String source = file.toString();
        try {
            return java.nio.file.Files.readString(file, java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new ScenarioException(source, 0, null, null, "no such " + what + " (working directory "
                    + java.nio.file.Path.of("").toAbsolutePath() + "); " + hint, e);
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new ScenarioException(source, 0, null, null, "not valid UTF-8 text; save " + saveAs + " as UTF-8", e);
        } catch (java.io.IOException e) {
            throw new ScenarioException(source, 0, null, null, "cannot read the file: " + e, e);
        }
    }

    /**
     * Composes a whole document that must be a mapping: an empty document fails with
     * {@code emptyMessage}, any other non-mapping with "expected {@code what} to be a mapping of keys (…)".
     */
    public Node composeMapping(String text, String what, String emptyMessage, List<String> topKeys) {
        Node root = compose(text, source);
        if (root == null || isNull(root)) {
            throw new ScenarioException(source, 0, null, null, emptyMessage);
        }
        if (!(root instanceof MappingNode)) {
            throw error(root, null, "expected " + what + " to be a mapping of keys (" + String.join(", ", topKeys)
                    + "), got " + describe(root));
        }
        return root;
    }
}
