package io.archipelago.core.geo;

/** Why a site was or was not a candidate for a job, at the site level of two-level placement. */
public enum SiteReason {
    /** The site satisfies the job's rules. */
    ELIGIBLE("eligible"),
    /** The site's jurisdiction is not one the job's data may be processed in. */
    JURISDICTION("jurisdiction not allowed"),
    /** The site's region is not one the job may run in. */
    REGION("region not allowed"),
    /** The round trip from the job's origin to the site's region exceeds the job's latency SLO. */
    LATENCY("latency SLO exceeded"),
    /** No node of the site has a GPU model the job accepts. */
    GPU_MODEL("no allowed GPU model"),
    /** The site has nodes of the model, but none fits the job now (see the node-level reasons). */
    NO_NODE_FITS("no node fits");

    private final String text;

    SiteReason(String text) {
        this.text = text;
    }

    public String text() {
        return text;
    }
}
