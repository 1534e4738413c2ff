package io.archipelago.core.policy;

import io.archipelago.core.frag.EventualWaste;
import io.archipelago.core.frag.Fragmentation;
import io.archipelago.core.framework.Filters;
import io.archipelago.core.framework.GpuSelectors;
import io.archipelago.core.framework.Profile;

import java.util.List;
import java.util.Locale;

/**
 * The named placement policies. Each name maps to a {@link Profile}: the standard filters, one
 * score plugin with weight 1000 (as in the FGD study) and the policy's GPU-selection rule.
 * {@link #STUDY} are the six policies of the FGD study; {@link #names()} adds ours (WasteAware and
 * its ablation EventualWaste, docs/policies.md).
 */
public final class Policies {
    /** The six policies of the FGD study, in the study's order. */
    public static final List<String> STUDY = List.of("Random", "DotProd", "GpuClustering", "GpuPacking", "BestFit", "FGD");

    /** Policies of our own, after the study's; each is numbered after them in study labels ({@code 07-WasteAware}). */
    public static final List<String> OURS = List.of("WasteAware", "EventualWaste");

    private static final List<String> ALL = java.util.stream.Stream.concat(STUDY.stream(), OURS.stream()).toList();

    /** Weight of the single score plugin, as in the artifact. */
    public static final int WEIGHT = 1000;

    private Policies() {
    }

    /** Every known policy name. */
    public static List<String> names() {
        return ALL;
    }

    /** The canonical spelling of {@code name} (case-insensitive), or a clear error listing the known names. */
    public static String canonical(String name) {
        for (String p : names()) {
            if (p.equalsIgnoreCase(name.trim())) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown policy '" + name + "'; known policies: " + String.join(", ", names()));
    }

    /** The study's label, e.g. {@code 06-FGD}. */
    public static String studyLabel(String policy) {
        int i = ALL.indexOf(canonical(policy));
        return String.format(Locale.ROOT, "%02d-%s", i + 1, ALL.get(i));
    }

    /** The GPU selectors a profile may name. */
    public static final List<String> SELECTORS = List.of("best-fit", "random", "lowest-indexed", "tightest-first", "fgd");

    /**
     * A profile combining several policies' score plugins with their weights, e.g. BestFit × 2 +
     * FGD × 1. {@code selector} names the GPU selector ({@link #SELECTORS}); null takes the first
     * plugin's own selector. Plugins are listed by policy name; each may appear once.
     */
    public static Profile composite(String profileName, List<String> plugins, List<Integer> weights, String selector,
                                    PolicyContext ctx) {
        if (plugins.isEmpty() || plugins.size() != weights.size()) {
            throw new IllegalArgumentException("profile " + profileName + ": " + plugins.size() + " plugins and " + weights.size()
                    + " weights; give at least one plugin and one weight per plugin");
        }
        Profile.Builder b = Profile.builder(profileName);
        b.filter(Filters.resourceFit());
        io.archipelago.core.framework.GpuSelector first = null;
        FgdScore fgd = null;
        for (int i = 0; i < plugins.size(); i++) {
            String p = canonical(plugins.get(i));
            Profile single = profile(p, ctx);
            io.archipelago.core.framework.ScorePlugin sp = single.scores().get(0).plugin();
            if (sp instanceof FgdScore f) {
                fgd = f;
            }
            b.score(sp, weights.get(i));
            if (first == null) {
                first = single.gpuSelector();
            }
        }
        if (selector == null) {
            b.gpuSelector(first);
        } else {
            switch (selector) {
                case "best-fit": b.gpuSelector(GpuSelectors.bestFit()); break;
                case "random": b.gpuSelector(GpuSelectors.random(ctx.random())); break;
                case "lowest-indexed": b.gpuSelector(named("LowestIndexedGpu", GpuSelectors::lowestIndexed)); break;
                case "tightest-first": b.gpuSelector(named("TightestFirstGpu", GpuSelectors::tightestFirst)); break;
                case "fgd":
                    b.gpuSelector(fgd != null ? fgd : new FgdScore(ctx.requireFragmentation("the fgd GPU selector")));
                    break;
                default:
                    throw new IllegalArgumentException("profile " + profileName + ": unknown GPU selector '" + selector
                            + "'; known selectors: " + String.join(", ", SELECTORS));
            }
        }
        return b.build();
    }

    private interface SelectFn {
        int select(io.archipelago.core.cluster.ClusterState s, int node, io.archipelago.core.model.TaskSpec t);
    }

    private static io.archipelago.core.framework.GpuSelector named(String name, SelectFn fn) {
        return new io.archipelago.core.framework.GpuSelector() {
            @Override
            public int selectGpus(io.archipelago.core.cluster.ClusterState s, int node, io.archipelago.core.model.TaskSpec t) {
                return fn.select(s, node, t);
            }

            @Override
            public String name() {
                return name;
            }
        };
    }

    /** GPU capacity (milli) of the cluster per GPU model id. */
    static long[] capacityByModel(io.archipelago.core.cluster.ClusterState s) {
        long[] cap = new long[io.archipelago.core.model.GpuModels.names().size()];
        for (int n = 0; n < s.nodeCount(); n++) {
            if (s.gpuCount(n) > 0) {
                cap[s.model(n)] += (long) s.gpuCount(n) * io.archipelago.core.cluster.ClusterState.GPU_MILLI;
            }
        }
        return cap;
    }

    /** The cluster's CPU milli per milli-GPU, over the nodes that have GPUs (NaN without GPUs). */
    static double clusterCpuPerGpuMilli(io.archipelago.core.cluster.ClusterState s) {
        long cpu = 0;
        long gpu = 0;
        for (int n = 0; n < s.nodeCount(); n++) {
            if (s.gpuCount(n) > 0) {
                cpu += s.spec(n).cpuMilli();
                gpu += (long) s.gpuCount(n) * io.archipelago.core.cluster.ClusterState.GPU_MILLI;
            }
        }
        return gpu == 0 ? Double.NaN : (double) cpu / gpu;
    }

    /** Builds the profile of policy {@code name}. */
    public static Profile profile(String name, PolicyContext ctx) {
        String p = canonical(name);
        Profile.Builder b = Profile.builder(p);
        b.filter(Filters.resourceFit());
        switch (p) {
            case "Random":
                return b.score(new RandomScore(ctx.random()), WEIGHT).gpuSelector(GpuSelectors.random(ctx.random())).build();
            case "DotProd":
                return b.score(new DotProdScore(), WEIGHT).gpuSelector(GpuSelectors.bestFit()).build();
            case "GpuClustering":
                return b.score(new GpuClusteringScore(), WEIGHT).gpuSelector(GpuSelectors.bestFit()).build();
            case "GpuPacking":
                return b.score(new GpuPackingScore(), WEIGHT).gpuSelector(GpuSelectors.bestFit()).build();
            case "BestFit":
                return b.score(new BestFitScore(), WEIGHT).gpuSelector(GpuSelectors.bestFit()).build();
            case "FGD": {
                FgdScore fgd = new FgdScore(ctx.requireFragmentation(p));
                return b.score(fgd, WEIGHT).gpuSelector(fgd).build();
            }
            case "WasteAware":
            case "EventualWaste": {
                Fragmentation frag = ctx.requireFragmentation(p);
                EventualWaste waste = new EventualWaste(frag.target(), clusterCpuPerGpuMilli(ctx.state()),
                        EventualWaste.DEFAULT_END_WEIGHT);
                WasteAwareScore w = new WasteAwareScore(p, waste, frag,
                        p.equals("WasteAware") ? WasteAwareScore.Params.DEFAULT : WasteAwareScore.Params.EVENTUAL);
                if (p.equals("WasteAware")) {
                    w.withConstrainedNeed(waste.constrainedNeed(capacityByModel(ctx.state())));
                }
                return b.score(w, WEIGHT).gpuSelector(w).build();
            }
            default:
                throw new AssertionError(p);
        }
    }
}
