package io.archipelago.sim.trace;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Where the openb trace files are looked for, in order: an explicit directory; {@code $ARCHIPELAGO_TRACES}
 * (a folder holding {@code openb/}); {@code ../shared/traces} next to the working directory (the
 * developers' layout); the download cache {@code ~/.cache/archipelago/traces} (or
 * {@code $ARCHIPELAGO_CACHE}) that {@code ./archipelago trace download openb} fills.
 */
public final class TraceLocator {
    /** The node list of the FGD study's cluster. */
    public static final String GPU_NODE_FILE = "openb_node_list_gpu_node.csv";

    private TraceLocator() {
    }

    /** Candidate openb folders, in search order. */
    public static List<Path> candidates(Path explicit, Map<String, String> env) {
        List<Path> out = new ArrayList<>();
        if (explicit != null) {
            out.add(explicit);
            return out;
        }
        String traces = env.get("ARCHIPELAGO_TRACES");
        if (traces != null && !traces.isBlank()) {
            out.add(Path.of(traces).resolve("openb"));
        }
        out.add(Path.of("..", "shared", "traces", "openb"));
        String cache = env.get("ARCHIPELAGO_CACHE");
        if (cache != null && !cache.isBlank()) {
            out.add(Path.of(cache).resolve("traces").resolve("openb"));
        }
        out.add(Path.of(System.getProperty("user.home"), ".cache", "archipelago", "traces", "openb"));
        return out;
    }

    /** The first candidate holding the GPU node list, or null. */
    public static Path find(Path explicit, Map<String, String> env) {
        for (Path p : candidates(explicit, env)) {
            if (Files.isRegularFile(p.resolve(GPU_NODE_FILE))) {
                return p;
            }
        }
        return null;
    }

    /** The pod list of a named openb workload ("default" → openb_pod_list_default.csv). */
    public static Path podFile(Path dir, String workload) {
        return dir.resolve("openb_pod_list_" + workload + ".csv");
    }
}
