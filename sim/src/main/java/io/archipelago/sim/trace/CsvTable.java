package io.archipelago.sim.trace;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A plain comma-separated table (no quoting, as in the Alibaba traces) with a header line, checked
 * against the columns a reader knows. Package-private helper of the trace readers.
 */
final class CsvTable {
    final String file;
    final Map<String, Integer> columns;
    final List<String[]> rows;
    final List<Integer> lineNumbers;

    private CsvTable(String file, Map<String, Integer> columns, List<String[]> rows, List<Integer> lineNumbers) {
        this.file = file;
        this.columns = columns;
        this.rows = rows;
        this.lineNumbers = lineNumbers;
    }

    static CsvTable read(Path path, Set<String> required, Set<String> optional) {
        String file = path.toString();
        List<String> lines;
        try (BufferedReader r = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            lines = new ArrayList<>();
            for (String l = r.readLine(); l != null; l = r.readLine()) {
                lines.add(l);
            }
        } catch (NoSuchFileException e) {
            throw new TraceFormatException(file, 0, null, null, "an existing file (not found; check the path, or run "
                    + "'./archipelago trace download openb')");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (!lines.isEmpty() && lines.get(0).startsWith("\uFEFF")) {
            lines.set(0, lines.get(0).substring(1));
        }
        if (lines.isEmpty() || lines.get(0).isBlank()) {
            throw new TraceFormatException(file, 1, null, null, "a header line naming the columns " + required + " (the file is empty)");
        }
        String header = lines.get(0);
        String[] names = header.split(",", -1);
        Map<String, Integer> columns = new LinkedHashMap<>();
        for (int i = 0; i < names.length; i++) {
            String c = names[i].trim();
            if (!required.contains(c) && !optional.contains(c)) {
                throw new TraceFormatException(file, 1, c, c, "one of the known columns " + required + " (required) or "
                        + optional + " (optional)");
            }
            if (columns.put(c, i) != null) {
                throw new TraceFormatException(file, 1, c, c, "each column once");
            }
        }
        for (String c : required) {
            if (!columns.containsKey(c)) {
                throw new TraceFormatException(file, 1, c, null, "a column named '" + c + "' (required; found " + columns.keySet() + ")");
            }
        }
        List<String[]> rows = new ArrayList<>();
        List<Integer> numbers = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            String l = lines.get(i);
            if (l.isBlank()) {
                continue;
            }
            String[] cells = l.split(",", -1);
            if (cells.length != names.length) {
                throw new TraceFormatException(file, i + 1, null, l, names.length + " comma-separated fields as in the header, found " + cells.length);
            }
            rows.add(cells);
            numbers.add(i + 1);
        }
        if (rows.isEmpty()) {
            throw new TraceFormatException(file, 2, null, null, "at least one data row (the file has only a header)");
        }
        return new CsvTable(file, columns, rows, numbers);
    }

    boolean has(String column) {
        return columns.containsKey(column);
    }

    String text(int row, String column) {
        Integer c = columns.get(column);
        return c == null ? "" : rows.get(row)[c].trim();
    }

    long nonNegative(int row, String column, long max) {
        String v = text(row, column);
        try {
            if (v.startsWith("+")) {
                throw new NumberFormatException(v);
            }
            long x = Long.parseLong(v);
            if (x < 0 || x > max) {
                throw error(row, column, v, "a whole number from 0 to " + max);
            }
            return x;
        } catch (NumberFormatException e) {
            throw error(row, column, v, "a whole number from 0 to " + max);
        }
    }

    /** An optional time: empty means -1. */
    long optionalTime(int row, String column) {
        String v = text(row, column);
        if (v.isEmpty()) {
            return -1;
        }
        return nonNegative(row, column, Long.MAX_VALUE);
    }

    TraceFormatException error(int row, String column, String value, String expected) {
        return new TraceFormatException(file, lineNumbers.get(row), column, value, expected);
    }
}
