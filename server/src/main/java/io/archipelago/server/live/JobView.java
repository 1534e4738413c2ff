package io.archipelago.server.live;

import java.util.List;

/**
 * An immutable snapshot of a job as the API shows it, built either from the engine's live job (right after
 * its batch committed) or from the database row; both give the same view.
 *
 * @param spec      the validated request, canonical JSON text
 * @param tasks     per placed task its node and GPU indices (empty unless running)
 * @param decision  why it went where it went (set at placement), or null
 * @param reason    why it is queued or how it ended, or null
 */
public record JobView(long id, String tenant, String name, JobState state, int attempts, long submittedAt, Long startedAt,
                      Long dueAt, Long finishedAt, String region, String site, List<TaskAlloc> tasks, String decision,
                      String reason, String spec) {
    /** One placed task. */
    public record TaskAlloc(String node, List<Integer> gpus) {
    }

    /** {@code node:mask,node:mask} as stored in the database. */
    public static String encode(List<TaskAlloc> tasks) {
        StringBuilder b = new StringBuilder();
        for (TaskAlloc t : tasks) {
            if (b.length() > 0) {
                b.append(',');
            }
            int mask = 0;
            for (int g : t.gpus()) {
                mask |= 1 << g;
            }
            b.append(t.node()).append(':').append(mask);
        }
        return b.toString();
    }

    /** Inverse of {@link #encode}. */
    public static List<TaskAlloc> decode(String s) {
        if (s == null || s.isEmpty()) {
            return List.of();
        }
        String[] parts = s.split(",");
        TaskAlloc[] out = new TaskAlloc[parts.length];
        for (int i = 0; i < parts.length; i++) {
            int c = parts[i].lastIndexOf(':');
            out[i] = new TaskAlloc(parts[i].substring(0, c), gpus(Integer.parseInt(parts[i].substring(c + 1))));
        }
        return List.of(out);
    }

    /** GPU indices of a mask, ascending. */
    public static List<Integer> gpus(int mask) {
        Integer[] g = new Integer[Integer.bitCount(mask)];
        for (int j = 0, k = 0; j < 32; j++) {
            if ((mask & (1 << j)) != 0) {
                g[k++] = j;
            }
        }
        return List.of(g);
    }
}
