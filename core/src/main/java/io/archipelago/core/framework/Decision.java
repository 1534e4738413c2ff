package io.archipelago.core.framework;

import java.util.Map;

/** The outcome of scheduling one task: placed somewhere, or not placeable now (with why). */
public sealed interface Decision permits Decision.Placed, Decision.Unschedulable {

    /** Where the task went. */
    record Placed(int node, String nodeName, int gpuMask, int score, int feasibleNodes, int totalNodes)
            implements Decision {
    }

    /**
     * No node can host the task. {@code reasons} counts, per reason, the nodes rejected for it
     * (insertion-ordered by {@link Reason} order, zero counts left out).
     */
    record Unschedulable(int totalNodes, Map<Reason, Integer> reasons) implements Decision {
        /** E.g. "0/1213 nodes fit: 870 insufficient GPU, 343 GPU model not allowed". */
        public String message() {
            StringBuilder sb = new StringBuilder("0/").append(totalNodes).append(" nodes fit");
            String sep = ": ";
            for (Map.Entry<Reason, Integer> e : reasons.entrySet()) {
                sb.append(sep).append(e.getValue()).append(' ').append(e.getKey().text());
                sep = ", ";
            }
            return sb.toString();
        }
    }
}
