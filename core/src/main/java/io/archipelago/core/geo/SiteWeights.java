package io.archipelago.core.geo;

/**
 * Weights of the site-level scores of two-level placement. Every score lies in [0, 100]; a site's total
 * is the weighted sum, and the highest total wins (ties to the site listed first in the fleet).
 *
 * @param fragmentation weight of the best node's score in the site by the node policy (e.g. FGD's
 *                      fragmentation impact), normalised to [0, 100]
 * @param price         weight of the list price for the job's tier on the best node's GPU model in the
 *                      site's region: the cheapest pool of the fleet scores 100, the dearest 0
 * @param energy        weight of the energy cost per GPU-hour of the best node's pool (average kW × PUE ×
 *                      tariff per GPU): cheapest 100, dearest 0
 * @param freeCapacity  weight of the site's free GPU share (idle GPU capacity of nodes that are up over
 *                      the site's GPU capacity) × 100; spreads load and keeps room for local-only work
 * @param latency       weight of closeness to the job's origin: 100 × (1 − RTT / the fleet's largest RTT);
 *                      100 for a job without an origin
 */
public record SiteWeights(int fragmentation, int price, int energy, int freeCapacity, int latency) {
    /** The defaults: node-level fit and free capacity count double, price, energy and latency once. */
    public static final SiteWeights DEFAULT = new SiteWeights(2, 1, 1, 2, 1);

    public SiteWeights {
        int[] all = {fragmentation, price, energy, freeCapacity, latency};
        int sum = 0;
        for (int w : all) {
            if (w < 0 || w > 1000) {
                throw new IllegalArgumentException("site weights " + this0(fragmentation, price, energy, freeCapacity, latency)
                        + ": every weight must lie in 0..1000");
            }
            sum += w;
        }
        if (sum == 0) {
            throw new IllegalArgumentException("site weights are all 0; give at least one a positive weight, e.g. fragmentation: 1");
        }
    }

    private static String this0(int f, int p, int e, int c, int l) {
        return "{fragmentation: " + f + ", price: " + p + ", energy: " + e + ", free_capacity: " + c + ", latency: " + l + "}";
    }

    @Override
    public String toString() {
        return this0(fragmentation, price, energy, freeCapacity, latency);
    }
}
