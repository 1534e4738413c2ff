package io.archipelago.server.auth;

/**
 * Who a request acts as: a tenant (sees and cancels only its own jobs), an operator (everything, plus the
 * fleet actions), or a node agent (only the node-agent API).
 */
public record Principal(String name, Role role) {
    /** The three roles. */
    public enum Role {
        TENANT, OPERATOR, AGENT;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        public static Role parse(String s) {
            return valueOf(s.toUpperCase(java.util.Locale.ROOT));
        }
    }

    public boolean isOperator() {
        return role == Role.OPERATOR;
    }
}
