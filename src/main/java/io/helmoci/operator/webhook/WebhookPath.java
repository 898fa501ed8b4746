package io.helmoci.operator.webhook;

import io.helmoci.operator.Constants;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A receiver's webhook path, as Flux derives it: {@code /hook/} and the hex sha256 of token, name and
 * namespace. Nobody without the token can compute it, and a new token gives a new path.
 */
public final class WebhookPath {
    private WebhookPath() {}

    public static String of(String token, String name, String namespace) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest((token + name + namespace).getBytes(StandardCharsets.UTF_8));
            return Constants.WEBHOOK_PATH_PREFIX + HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }
}
