package io.archipelago.core.model;

/** Quality-of-service class a task carries in the openb traces. */
public enum Qos {
    /** Latency-sensitive. */
    LS,
    /** Best-effort. */
    BE,
    /** Kubernetes Burstable. */
    BURSTABLE,
    /** Kubernetes Guaranteed. */
    GUARANTEED,
    /** Not given in the input. */
    UNSPECIFIED;

    /** Parses the trace spelling (LS, BE, Burstable, Guaranteed, or empty); null if unknown. */
    public static Qos parse(String s) {
        switch (s) {
            case "": return UNSPECIFIED;
            case "LS": return LS;
            case "BE": return BE;
            case "Burstable": return BURSTABLE;
            case "Guaranteed": return GUARANTEED;
            default: return null;
        }
    }
}
