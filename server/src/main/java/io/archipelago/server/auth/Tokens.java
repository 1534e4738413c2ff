package io.archipelago.server.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * API tokens: 32 random bytes (256 bits) from {@link SecureRandom}, base64url, prefixed {@code ap_}. Only
 * their SHA-256 is stored. A slow password hash is not needed: the tokens are random, not chosen by people,
 * so there is nothing to guess (see docs/decisions.md).
 */
public final class Tokens {
    private static final SecureRandom RANDOM = new SecureRandom();

    private Tokens() {
    }

    /** A new random token. */
    public static String generate() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return "ap_" + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** Hex SHA-256 of a token (or of any text, e.g. a request body for idempotency). */
    public static String hash(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from this JVM", e);
        }
    }
}
