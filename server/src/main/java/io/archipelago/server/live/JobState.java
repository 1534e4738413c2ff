package io.archipelago.server.live;

import java.util.Locale;

/** Life cycle of a job: queued, running, then one of the three terminal states. */
public enum JobState {
    QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean terminal() {
        return this == SUCCEEDED || this == FAILED || this == CANCELLED;
    }

    /** The state named {@code s} (its label), or null. */
    public static JobState parse(String s) {
        for (JobState j : values()) {
            if (j.label().equals(s)) {
                return j;
            }
        }
        return null;
    }
}
