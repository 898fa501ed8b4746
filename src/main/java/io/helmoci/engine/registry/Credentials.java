package io.helmoci.engine.registry;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;

/**
 * What to authenticate to a registry with. One of: anonymous, username/password (basic),
 * an identity token (an OAuth2 refresh token, Docker config {@code identitytoken}) or a registry
 * token (a bearer token used as is, Docker config {@code registrytoken}).
 *
 * <p>{@link #toString()} never shows a secret; {@link #identity()} is a one-way fingerprint for
 * cache keys so tokens obtained with one credential are never handed to a caller with another.
 */
public final class Credentials {
    public enum Kind {
        ANONYMOUS,
        BASIC,
        IDENTITY_TOKEN,
        REGISTRY_TOKEN
    }

    private static final Credentials ANONYMOUS = new Credentials(Kind.ANONYMOUS, null, null);

    private final Kind kind;
    private final String username;
    private final String secret;

    private Credentials(Kind kind, String username, String secret) {
        this.kind = kind;
        this.username = username;
        this.secret = secret;
    }

    public static Credentials anonymous() {
        return ANONYMOUS;
    }

    public static Credentials basic(String username, String password) {
        return new Credentials(
                Kind.BASIC, Objects.requireNonNull(username, "username"), Objects.requireNonNull(password, "password"));
    }

    /** An OAuth2 refresh token; {@code username} may be null (it is only used if the token server lacks the POST form). */
    public static Credentials identityToken(String username, String refreshToken) {
        return new Credentials(Kind.IDENTITY_TOKEN, username, Objects.requireNonNull(refreshToken, "refreshToken"));
    }

    public static Credentials registryToken(String bearerToken) {
        return new Credentials(Kind.REGISTRY_TOKEN, null, Objects.requireNonNull(bearerToken, "bearerToken"));
    }

    public Kind kind() {
        return kind;
    }

    public boolean isAnonymous() {
        return kind == Kind.ANONYMOUS;
    }

    /** The user name, not a secret; null for anonymous and registry tokens. */
    public String username() {
        return username;
    }

    /** {@code Basic base64(user:password)}; for an identity token, the token as password (GET fallback). */
    String basicAuthorization() {
        String user = username == null || username.isEmpty() ? "<token>" : username;
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + secret).getBytes(StandardCharsets.UTF_8));
    }

    String secret() {
        return secret;
    }

    /** A short one-way fingerprint of the whole credential, for cache keys. Not reversible, not a secret. */
    public String identity() {
        if (kind == Kind.ANONYMOUS) {
            return "anonymous";
        }
        byte[] hash =
                Digest.newSha256().digest((kind + "\0" + username + "\0" + secret).getBytes(StandardCharsets.UTF_8));
        return kind.name().toLowerCase(java.util.Locale.ROOT) + ":"
                + HexFormat.of().formatHex(hash, 0, 12);
    }

    /** How to describe these credentials in an error message, without any secret. */
    public String describe() {
        return switch (kind) {
            case ANONYMOUS -> "no credentials were sent (anonymous)";
            case BASIC -> "username/password credentials were sent";
            case IDENTITY_TOKEN -> "an identity (refresh) token was sent";
            case REGISTRY_TOKEN -> "a registry bearer token was sent";
        };
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Credentials that
                && kind == that.kind
                && Objects.equals(username, that.username)
                && Objects.equals(secret, that.secret);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, username, secret);
    }

    @Override
    public String toString() {
        return "Credentials[" + kind + (username == null ? "" : ", username=" + username) + "]";
    }
}
