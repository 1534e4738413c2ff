package io.archipelago.sim.study;

import io.archipelago.core.frag.TargetWorkload;
import io.archipelago.core.model.NodeSpec;
import io.archipelago.core.model.TaskSpec;
import io.archipelago.core.policy.Policies;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The FGD placement study: every workload × policy × seed, run in parallel, results returned in a
 * fixed order (workload, policy, seed as given) whatever the thread timing.
 */
public final class FgdStudy {
    /** A pod list and the name it is reported under. */
    public record Workload(String name, List<TaskSpec> pods) {
    }

    /**
     * @param nodes     the cluster (GPU nodes)
     * @param workloads the pod lists
     * @param policies  policy names (see {@link Policies})
     * @param seeds     seeds, one run each
     * @param tune      inflation factor
     * @param threads   worker threads (≥ 1)
     * @param check     verify cluster invariants after every event
     */
    public record Config(List<NodeSpec> nodes, List<Workload> workloads, List<String> policies, List<Long> seeds,
                         double tune, int threads, boolean check) {
        public Config {
            if (nodes.isEmpty()) {
                throw new IllegalArgumentException("the node list has no GPU node; the study needs a GPU cluster");
            }
            if (workloads.isEmpty() || policies.isEmpty() || seeds.isEmpty()) {
                throw new IllegalArgumentException("the study needs at least one workload, policy and seed (got "
                        + workloads.size() + ", " + policies.size() + ", " + seeds.size() + ")");
            }
            if (threads < 1) {
                throw new IllegalArgumentException("threads " + threads + " must be at least 1");
            }
            policies = policies.stream().map(Policies::canonical).toList();
        }
    }

    /** Told as runs finish (from worker threads; implementations must be thread-safe). */
    public interface Progress {
        void runDone(RunResult result, int done, int total);

        Progress NONE = (r, d, t) -> { };
    }

    /** All results, in (workload, policy, seed) order, and the wall time. */
    public record Results(Config config, List<RunResult> runs, long wallNanos) {
    }

    private FgdStudy() {
    }

    public static Results run(Config c, Progress progress) {
        long start = System.nanoTime();
        Map<String, TargetWorkload> targets = new LinkedHashMap<>();
        for (Workload w : c.workloads()) {
            targets.put(w.name(), TargetWorkload.of(w.pods()));
        }
        int total = c.workloads().size() * c.policies().size() * c.seeds().size();
        AtomicInteger done = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(c.threads(), r -> {
            Thread t = new Thread(r, "study-worker");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<RunResult>> futures = new ArrayList<>(total);
            // FGD runs are the slowest; submitting them first shortens the tail on few cores
            for (Workload w : c.workloads()) {
                for (String p : c.policies()) {
                    for (long seed : c.seeds()) {
                        futures.add(pool.submit(() -> {
                            RunResult r = StudyRun.run(w.name(), c.nodes(), w.pods(), targets.get(w.name()), p, seed, c.tune(), c.check());
                            progress.runDone(r, done.incrementAndGet(), total);
                            return r;
                        }));
                    }
                }
            }
            List<RunResult> out = new ArrayList<>(total);
            for (Future<RunResult> f : futures) {
                out.add(f.get());
            }
            return new Results(c, out, System.nanoTime() - start);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("study interrupted", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException("study run failed: " + cause, cause);
        } finally {
            pool.shutdownNow();
        }
    }
}
