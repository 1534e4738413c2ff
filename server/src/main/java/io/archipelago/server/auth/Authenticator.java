package io.archipelago.server.auth;

import io.archipelago.server.store.JobStore;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Resolves bearer tokens to principals. Tokens are looked up by their SHA-256 in a map loaded from the
 * database (and kept in step when principals are created or their token rotated); the token itself is
 * never stored or logged.
 */
public final class Authenticator {
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,63}");
    private final JobStore store;
    private final Map<String, Principal> byHash = new ConcurrentHashMap<>();
    private final Map<String, Principal> byName = new ConcurrentHashMap<>();

    public Authenticator(JobStore store) {
        this.store = store;
        for (JobStore.PrincipalRow p : store.principals()) {
            Principal pr = new Principal(p.name(), p.role());
            byHash.put(p.tokenHash(), pr);
            byName.put(p.name(), pr);
        }
    }

    /** The principal holding {@code token}, or null. */
    public Principal authenticate(String token) {
        return token == null ? null : byHash.get(Tokens.hash(token));
    }

    /** The principal named {@code name}, or null. */
    public Principal find(String name) {
        return byName.get(name);
    }

    /** Whether {@code name} is a valid principal name: lower-case letters, digits and '-', 1..64, not starting with '-'. */
    public static boolean validName(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    /**
     * Creates a principal and returns its token (shown once). Throws IllegalArgumentException for a bad
     * name and IllegalStateException when the name is taken.
     */
    public synchronized String create(String name, Principal.Role role, long now) {
        if (!validName(name)) {
            throw new IllegalArgumentException("name '" + name + "': expected 1..64 of a-z 0-9 -, starting with a letter or digit");
        }
        String token = Tokens.generate();
        String hash = Tokens.hash(token);
        if (!store.insertPrincipal(new JobStore.PrincipalRow(name, role, hash, now))) {
            throw new IllegalStateException("principal '" + name + "' already exists");
        }
        Principal p = new Principal(name, role);
        byHash.put(hash, p);
        byName.put(name, p);
        return token;
    }

    /** Gives an existing principal a new token (the old one stops working) and returns it. */
    public synchronized String rotate(String name) {
        Principal p = byName.get(name);
        if (p == null) {
            throw new IllegalArgumentException("no principal named '" + name + "'");
        }
        String token = Tokens.generate();
        String hash = Tokens.hash(token);
        store.updatePrincipalToken(name, hash);
        byHash.values().removeIf(x -> x.name().equals(name));
        byHash.put(hash, p);
        return token;
    }

    /** Every principal, by name. */
    public java.util.List<Principal> all() {
        return byName.values().stream().sorted(java.util.Comparator.comparing(Principal::name)).toList();
    }
}
