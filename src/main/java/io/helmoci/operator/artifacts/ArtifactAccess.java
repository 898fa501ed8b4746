package io.helmoci.operator.artifacts;

import io.fabric8.kubernetes.api.model.Secret;
import io.helmoci.operator.credentials.ObjectLookup;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Optional;

/**
 * Who may read a namespace's artifacts and index. {@link Mode#OPEN} (the default): anyone who
 * reaches the server. {@link Mode#TOKEN}: only a request carrying the token of the namespace's
 * Secret {@value #SECRET_NAME} (key {@value #TOKEN_KEY}), as {@code Authorization: Bearer <token>}
 * or as the password of Basic auth (any user name, for Helm, Flux and Argo CD repository
 * credentials); a namespace without that Secret serves nothing. Tokens are compared in constant time.
 */
public final class ArtifactAccess {
    public static final String SECRET_NAME = "helm-oci-artifacts";
    public static final String TOKEN_KEY = "token";

    /** The setting helmoci.artifacts.access. */
    public enum Mode {
        OPEN,
        TOKEN
    }

    private final Mode mode;
    private final ObjectLookup lookup;

    public ArtifactAccess(Mode mode, ObjectLookup lookup) {
        this.mode = mode;
        this.lookup = lookup;
    }

    /** Whether a request with this {@code Authorization} header may read {@code namespace}. */
    public boolean allows(String namespace, String authorization) {
        if (mode == Mode.OPEN) {
            return true;
        }
        Optional<String> presented = presentedToken(authorization);
        if (presented.isEmpty()) {
            return false;
        }
        Optional<String> expected = lookup.secret(namespace, SECRET_NAME).flatMap(ArtifactAccess::token);
        return expected.isPresent()
                && !expected.get().isEmpty()
                && MessageDigest.isEqual(
                        expected.get().getBytes(StandardCharsets.UTF_8),
                        presented.get().getBytes(StandardCharsets.UTF_8));
    }

    public Mode mode() {
        return mode;
    }

    static Optional<String> presentedToken(String authorization) {
        if (authorization == null) {
            return Optional.empty();
        }
        String value = authorization.trim();
        int space = value.indexOf(' ');
        if (space < 0) {
            return Optional.empty();
        }
        String scheme = value.substring(0, space);
        String credentials = value.substring(space + 1).trim();
        if (scheme.equalsIgnoreCase("Bearer")) {
            return Optional.of(credentials);
        }
        if (scheme.equalsIgnoreCase("Basic")) {
            try {
                String decoded = new String(Base64.getDecoder().decode(credentials), StandardCharsets.UTF_8);
                int colon = decoded.indexOf(':');
                return colon < 0 ? Optional.empty() : Optional.of(decoded.substring(colon + 1));
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    private static Optional<String> token(Secret secret) {
        if (secret.getData() != null && secret.getData().get(TOKEN_KEY) != null) {
            try {
                return Optional.of(new String(
                                Base64.getMimeDecoder().decode(secret.getData().get(TOKEN_KEY)), StandardCharsets.UTF_8)
                        .trim());
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
        }
        if (secret.getStringData() != null && secret.getStringData().get(TOKEN_KEY) != null) {
            return Optional.of(secret.getStringData().get(TOKEN_KEY).trim());
        }
        return Optional.empty();
    }
}
