package io.archipelago.sim.study;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates ../shared (traces and published results), which tests read and never copy. */
final class SharedData {
    private SharedData() {
    }

    static Path root() {
        String p = System.getProperty("archipelago.shared");
        return p != null ? Path.of(p) : Path.of("..", "..", "shared");
    }

    static Path openb() {
        return root().resolve("traces").resolve("openb");
    }

    static Path reference() {
        return root().resolve("reference").resolve("fgd");
    }

    static boolean present() {
        return Files.isRegularFile(openb().resolve("openb_node_list_gpu_node.csv"))
                && Files.isRegularFile(reference().resolve("analysis_allo_discrete.csv"));
    }
}
