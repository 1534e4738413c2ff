package io.archipelago.sim.study;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Published result curves in the artifact's layout ({@code analysis_allo_discrete.csv}: workload,
 * sc_policy, tune, seed, total_gpus, 0..130), keyed by workload and policy label.
 */
public final class ReferenceCurves {
    private final Map<String, List<double[]>> curves;

    private ReferenceCurves(Map<String, List<double[]>> curves) {
        this.curves = curves;
    }

    private static String key(String workload, String label) {
        return workload + "\u0000" + label;
    }

    /** Reads {@code analysis_allo_discrete.csv} from {@code dir}. */
    public static ReferenceCurves load(Path dir) {
        Path file = dir.resolve("analysis_allo_discrete.csv");
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read reference curves " + file + ": " + e.getMessage()
                    + "; pass --reference with the folder holding analysis_allo_discrete.csv", e);
        }
        if (lines.isEmpty()) {
            throw new IllegalArgumentException(file + " is empty; expected the artifact's analysis_allo_discrete.csv");
        }
        String[] header = lines.get(0).split(",", -1);
        int first = -1;
        for (int i = 0; i < header.length; i++) {
            if (header[i].equals("0")) {
                first = i;
                break;
            }
        }
        if (first < 0 || !header[0].equals("workload") || !header[1].equals("sc_policy")) {
            throw new IllegalArgumentException(file + ": header " + lines.get(0).substring(0, Math.min(60, lines.get(0).length()))
                    + "... is not the artifact's layout (workload,sc_policy,...,0,1,...,130)");
        }
        Map<String, List<double[]>> m = new LinkedHashMap<>();
        for (int l = 1; l < lines.size(); l++) {
            String[] c = lines.get(l).split(",", -1);
            if (c.length < 2) {
                continue;
            }
            double[] y = new double[header.length - first];
            for (int i = first; i < c.length && i < header.length; i++) {
                y[i - first] = c[i].isEmpty() ? Double.NaN : Double.parseDouble(c[i]);
            }
            m.computeIfAbsent(key(c[0], c[1]), k -> new ArrayList<>()).add(y);
        }
        return new ReferenceCurves(m);
    }

    /** The number of bins (x values 0..bins-1) of the longest curve. */
    public int bins() {
        int n = 0;
        for (List<double[]> cs : curves.values()) {
            for (double[] c : cs) {
                n = Math.max(n, c.length);
            }
        }
        return n;
    }

    /** The workloads, each with its policy labels, in file order. */
    public Map<String, List<String>> labels() {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (String k : curves.keySet()) {
            int sep = k.indexOf('\u0000');
            out.computeIfAbsent(k.substring(0, sep), w -> new ArrayList<>()).add(k.substring(sep + 1));
        }
        return out;
    }

    /** Curves (one per seed) of a workload and policy label, or an empty list. */
    public List<double[]> curves(String workload, String label) {
        return curves.getOrDefault(key(workload, label), List.of());
    }

    /** Mean over seeds of the value at bin {@code x}, or NaN if there is no curve. */
    public double mean(String workload, String label, int x) {
        List<double[]> cs = curves(workload, label);
        if (cs.isEmpty()) {
            return Double.NaN;
        }
        double s = 0;
        for (double[] c : cs) {
            s += x < c.length ? c[x] : Double.NaN;
        }
        return s / cs.size();
    }
}
