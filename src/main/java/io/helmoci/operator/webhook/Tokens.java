package io.helmoci.operator.webhook;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Constant-time checks of the ways senders prove they know the token. */
final class Tokens {
    private Tokens() {}

    /** {@code value} is exactly the token, or {@code Bearer <token>}. */
    static boolean isTokenOrBearer(String value, byte[] token) {
        if (value == null) {
            return false;
        }
        String presented = value.regionMatches(true, 0, "Bearer ", 0, 7) ? value.substring(7) : value;
        return MessageDigest.isEqual(presented.trim().getBytes(StandardCharsets.UTF_8), token);
    }

    /** {@code value} is {@code Bearer <token>}. */
    static boolean isBearer(String value, byte[] token) {
        return value != null && value.regionMatches(true, 0, "Bearer ", 0, 7) && isTokenOrBearer(value, token);
    }

    /** {@code value} is {@code sha256=<hex HMAC-SHA256 of body with the token as key>} (GitHub's X-Hub-Signature-256). */
    static boolean isHmacSha256(String value, byte[] body, byte[] token) {
        if (value == null || !value.startsWith("sha256=") || token.length == 0) {
            return false;
        }
        byte[] presented;
        try {
            presented = HexFormat.of().parseHex(value.substring(7).trim().toLowerCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException notHex) {
            return false;
        }
        return MessageDigest.isEqual(presented, hmacSha256(token, body));
    }

    static byte[] hmacSha256(byte[] key, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(body);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available", e);
        }
    }
}
