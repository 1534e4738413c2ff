package io.archipelago.core.policy;

import io.archipelago.core.framework.Filters;
import io.archipelago.core.framework.GpuSelectors;
import io.archipelago.core.framework.Profile;

import java.util.List;
import java.util.Locale;

/**
 * The named placement policies. Each name maps to a {@link Profile}: the standard filters, one
 * score plugin with weight 1000 (as in the FGD study) and the policy's GPU-selection rule.
 */
public final class Policies {
    /** The six policies of the FGD study, in the study's order. */
    public static final List<String> STUDY = List.of("Random", "DotProd", "GpuClustering", "GpuPacking", "BestFit", "FGD");

    /** Weight of the single score plugin, as in the artifact. */
    public static final int WEIGHT = 1000;

    private Policies() {
    }

    /** Every known policy name. */
    public static List<String> names() {
        return STUDY;
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
        int i = STUDY.indexOf(canonical(policy));
        return String.format(Locale.ROOT, "%02d-%s", i + 1, STUDY.get(i));
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
            default:
                throw new AssertionError(p);
        }
    }
}
