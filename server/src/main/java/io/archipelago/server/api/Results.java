package io.archipelago.server.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.archipelago.sim.study.ReferenceCurves;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Study and simulation results on disk, for the dashboard: the result folders directly under one directory
 * (what {@code experiment fgd --out} and {@code simulate --out} write, {@code results/} by default).
 *
 * <p>A folder holding {@code analysis_allo_discrete.csv} is an FGD study; one holding {@code summary.json}
 * and {@code report.html} is a simulation. Only regular files directly inside a result folder are served,
 * by name: names are checked against {@link #NAME} (no separators, no leading dot), and the resolved path
 * must stay inside the folder, so nothing else on disk can be reached.
 */
final class Results {
    /** A result folder or file name: letters, digits, dot, dash and underscore, not starting with a dot. */
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}");
    private static final Map<String, String> TYPES = Map.of("html", "text/html; charset=utf-8", "png", "image/png", "csv",
            "text/csv; charset=utf-8", "json", "application/json", "txt", "text/plain; charset=utf-8", "svg", "image/svg+xml");

    private final Path dir;
    private final ObjectMapper json;

    Results(Path dir, ObjectMapper json) {
        this.dir = dir.toAbsolutePath().normalize();
        this.json = json;
    }

    Path dir() {
        return dir;
    }

    /** Every result folder, sorted by name, with its kind and files. An absent directory lists nothing. */
    ObjectNode list() {
        ObjectNode o = json.createObjectNode();
        o.put("dir", dir.toString());
        ArrayNode a = o.putArray("results");
        if (!Files.isDirectory(dir)) {
            return o;
        }
        for (Path r : sorted(dir)) {
            if (!Files.isDirectory(r) || !NAME.matcher(r.getFileName().toString()).matches()) {
                continue;
            }
            ObjectNode x = a.addObject();
            x.put("name", r.getFileName().toString());
            x.put("kind", kind(r));
            ArrayNode files = x.putArray("files");
            for (Path f : sorted(r)) {
                if (Files.isRegularFile(f) && NAME.matcher(f.getFileName().toString()).matches()) {
                    try {
                        files.addObject().put("name", f.getFileName().toString()).put("bytes", Files.size(f));
                    } catch (IOException e) {
                        // vanished while listing: leave it out
                    }
                }
            }
        }
        return o;
    }

    private static String kind(Path r) {
        if (Files.isRegularFile(r.resolve("analysis_allo_discrete.csv"))) {
            return "fgd-study";
        }
        if (Files.isRegularFile(r.resolve("summary.json")) && Files.isRegularFile(r.resolve("report.html"))) {
            return "simulation";
        }
        return "other";
    }

    private static List<Path> sorted(Path d) {
        try (Stream<Path> s = Files.list(d)) {
            return s.sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + d + ": " + e.getMessage(), e);
        }
    }

    /** The result folder {@code name}; 400 for a bad name, 404 when there is none. */
    Path folder(String name) {
        if (!NAME.matcher(name).matches()) {
            throw ApiException.invalid("name", "result '" + abbreviate(name) + "': expected a folder name of letters, digits, '.', '-' and '_'");
        }
        Path r = dir.resolve(name).normalize();
        if (!r.getParent().equals(dir) || !Files.isDirectory(r)) {
            throw ApiException.notFound("no result folder '" + name + "' in " + dir + "; GET /api/v1/results lists them");
        }
        return r;
    }

    /** A file of a result folder; 400 for a bad name, 404 when there is none. */
    Path file(String name, String file) {
        Path r = folder(name);
        if (!NAME.matcher(file).matches()) {
            throw ApiException.invalid("file", "file '" + abbreviate(file) + "': expected a file name of letters, digits, '.', '-' and '_'");
        }
        Path f = r.resolve(file).normalize();
        if (!f.getParent().equals(r) || !Files.isRegularFile(f)) {
            throw ApiException.notFound("no file '" + file + "' in result " + name);
        }
        return f;
    }

    /** The content type a file is served with, by extension. */
    static String contentType(Path f) {
        String n = f.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return TYPES.getOrDefault(dot < 0 ? "" : n.substring(dot + 1).toLowerCase(Locale.ROOT), "application/octet-stream");
    }

    /** The allocation curves of an FGD study result, averaged over seeds; 422 when the folder is not one. */
    ObjectNode curves(String name) {
        Path r = folder(name);
        if (!kind(r).equals("fgd-study")) {
            throw ApiException.unsatisfiable("name", "result " + name + " is not an FGD study (it has no analysis_allo_discrete.csv)");
        }
        ReferenceCurves c;
        try {
            c = ReferenceCurves.load(r);
        } catch (RuntimeException e) {
            throw ApiException.unsatisfiable("name", "result " + name + ": " + e.getMessage());
        }
        ObjectNode o = json.createObjectNode();
        o.put("result", name);
        ArrayNode x = o.putArray("x");
        int bins = c.bins();
        for (int i = 0; i < bins; i++) {
            x.add(i);
        }
        ArrayNode ws = o.putArray("workloads");
        for (Map.Entry<String, List<String>> w : c.labels().entrySet()) {
            ObjectNode wo = ws.addObject();
            wo.put("workload", w.getKey());
            ArrayNode series = wo.putArray("series");
            for (String label : w.getValue()) {
                ObjectNode s = series.addObject();
                s.put("policy", label);
                s.put("seeds", c.curves(w.getKey(), label).size());
                ArrayNode y = s.putArray("y");
                for (int i = 0; i < bins; i++) {
                    double v = c.mean(w.getKey(), label, i);
                    if (Double.isNaN(v)) {
                        y.addNull();
                    } else {
                        y.add(Math.round(v * 1000) / 1000.0);
                    }
                }
            }
        }
        return o;
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }
}
