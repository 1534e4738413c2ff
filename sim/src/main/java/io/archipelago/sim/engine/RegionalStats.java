package io.archipelago.sim.engine;

import java.util.List;

/**
 * What a run on a multi-region fleet measured about where work went: rule breaches found by the
 * independent check at every bind, service-level attainment by origin region, placements by site,
 * and where work evicted by outages went.
 *
 * <p>A job with a latency SLO <em>meets its SLO</em> when every start (the first, and each restart
 * after an eviction) came within {@code sloWaitMs} of the job becoming ready (its arrival or its
 * eviction), and it was never rejected or left waiting at the end. Rule breaches cannot happen by
 * construction (rules are a site-level filter); the counters are the proof, computed from the raw
 * rules and the fleet at every bind.
 *
 * @param regions              region ids, fleet order
 * @param sites                site names, fleet order
 * @param regionOfSite         region index of each site
 * @param residencyViolations  task binds on a site whose jurisdiction or region the task's rules exclude
 * @param latencyViolations    task binds on a site whose round trip to the task's origin exceeds its SLO
 * @param sloWaitMs            the wait bound of the SLO definition above, ms
 * @param jobsByOrigin         jobs arrived, per origin region (jobs without an origin are not counted)
 * @param sloJobsByOrigin      jobs with a latency SLO, per origin region
 * @param sloMetByOrigin       of those, jobs that met their SLO
 * @param gpuHoursByOrigin     GPU-hours run by jobs of each origin region
 * @param startsBySite         job starts (first starts and restarts) per site
 * @param failoverJobs         [from site][to site]: jobs evicted by an outage at {@code from} that restarted at {@code to}
 * @param failoverWaiting      per site: jobs evicted there by an outage still waiting at the end
 * @param failoverRejected     per site: jobs evicted there by an outage that were then rejected (timed out)
 * @param failoverWaitP95Ms    per site: p95 of the wait between eviction and restart of its failed-over jobs, ms (NaN if none)
 * @param unplaceableJobs      jobs rejected on arrival because no site allowed by their rules could ever hold them
 */
public record RegionalStats(List<String> regions, List<String> sites, int[] regionOfSite, long residencyViolations,
                            long latencyViolations, long sloWaitMs, long[] jobsByOrigin, long[] sloJobsByOrigin,
                            long[] sloMetByOrigin, double[] gpuHoursByOrigin, long[] startsBySite, long[][] failoverJobs,
                            long[] failoverWaiting, long[] failoverRejected, double[] failoverWaitP95Ms, long unplaceableJobs) {

    /** SLO attainment of origin region {@code r}, 0..1, or NaN when it had no job with an SLO. */
    public double sloAttainment(int r) {
        return sloJobsByOrigin[r] == 0 ? Double.NaN : (double) sloMetByOrigin[r] / sloJobsByOrigin[r];
    }

    /** SLO attainment over all regions, 0..1, or NaN. */
    public double sloAttainment() {
        long n = 0;
        long m = 0;
        for (int r = 0; r < regions.size(); r++) {
            n += sloJobsByOrigin[r];
            m += sloMetByOrigin[r];
        }
        return n == 0 ? Double.NaN : (double) m / n;
    }
}
