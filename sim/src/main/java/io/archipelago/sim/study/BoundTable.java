package io.archipelago.sim.study;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Each policy's allocation next to the {@link AllocationBound} for the same arrivals: per workload
 * the 10-seed (or however many) mean of the bound at 100 % and 130 % arrived, and per workload ×
 * policy the mean allocation, the gap to the bound and the unallocated GPU share.
 */
public final class BoundTable {
    /** Mean bound of one workload at 100 % and 130 % arrived, % of GPU capacity. */
    public record WorkloadBound(String workload, double bound100, double bound130) {
    }

    private final List<WorkloadBound> bounds;
    private final Summary summary;

    private BoundTable(List<WorkloadBound> bounds, Summary summary) {
        this.bounds = bounds;
        this.summary = summary;
    }

    /** Computes the bound for every workload and seed of {@code results} (one LP bound per seed and bin). */
    public static BoundTable of(FgdStudy.Results results, Summary summary) {
        FgdStudy.Config c = results.config();
        List<WorkloadBound> out = new ArrayList<>();
        for (FgdStudy.Workload w : c.workloads()) {
            double b100 = 0;
            double b130 = 0;
            for (long seed : c.seeds()) {
                b100 += AllocationBound.percentAt(c.nodes(), w.pods(), c.tune(), seed, 100);
                b130 += AllocationBound.percentAt(c.nodes(), w.pods(), c.tune(), seed, StudyRun.MAX_BIN);
            }
            out.add(new WorkloadBound(w.name(), b100 / c.seeds().size(), b130 / c.seeds().size()));
        }
        return new BoundTable(out, summary);
    }

    public List<WorkloadBound> bounds() {
        return bounds;
    }

    /** Markdown: workload, policy, mean allocation, bound, gap, unallocated, at 100 % and 130 %. */
    public String markdown() {
        Map<String, WorkloadBound> byName = new LinkedHashMap<>();
        for (WorkloadBound b : bounds) {
            byName.put(b.workload(), b);
        }
        StringBuilder sb = new StringBuilder("| workload | policy | alloc @100 % | bound @100 % | gap | alloc @130 % | bound @130 % | gap"
                + " | unallocated @130 % |\n|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Summary.Row r : summary.rows()) {
            WorkloadBound b = byName.get(r.workload());
            sb.append(String.format(Locale.ROOT, "| %s | %s | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f |%n",
                    r.workload().replace("openb_pod_list_", ""), r.policy(), r.mean100(), b.bound100(), b.bound100() - r.mean100(),
                    r.mean130(), b.bound130(), b.bound130() - r.mean130(), 100 - r.mean130()));
        }
        return sb.toString();
    }

    /** Writes {@code bound.md} into {@code dir} and returns its path. */
    public Path write(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path p = dir.resolve("bound.md");
        Files.writeString(p, markdown(), StandardCharsets.UTF_8);
        return p;
    }
}
