package io.helmoci.engine.registry;

import io.helmoci.engine.EngineException;
import io.helmoci.engine.Reason;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * An OCI content digest {@code algorithm:hex}. Only algorithms that can be verified are accepted:
 * {@code sha256} (64 lower-case hex) and {@code sha512} (128 lower-case hex); anything else is
 * rejected rather than trusted unverified.
 */
public record Digest(String algorithm, String hex) {
    private static final Pattern SHA256 = Pattern.compile("[a-f0-9]{64}");
    private static final Pattern SHA512 = Pattern.compile("[a-f0-9]{128}");

    public Digest {
        boolean valid = switch (algorithm) {
            case "sha256" -> SHA256.matcher(hex).matches();
            case "sha512" -> SHA512.matcher(hex).matches();
            default -> false;
        };
        if (!valid) {
            throw new IllegalArgumentException("unsupported or malformed digest " + algorithm + ":" + hex);
        }
    }

    /** Parses {@code sha256:<hex>}; returns null if the text is not a digest this engine can verify. */
    public static Digest parseOrNull(String text) {
        if (text == null) {
            return null;
        }
        int colon = text.indexOf(':');
        if (colon < 0) {
            return null;
        }
        try {
            return new Digest(text.substring(0, colon), text.substring(colon + 1));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * Parses a digest that came from a registry or a manifest; a digest that cannot be verified
     * makes the content untrustworthy, hence {@link Reason#UnsupportedManifest}.
     */
    public static Digest parse(String text, String where) {
        Digest digest = parseOrNull(text);
        if (digest == null) {
            throw new EngineException(
                    Reason.UnsupportedManifest,
                    where + " has digest '" + text
                            + "', which is not a sha256 or sha512 digest in lower-case hex, so its content cannot be verified. "
                            + "Push the chart again with 'helm push'.");
        }
        return digest;
    }

    public static Digest sha256(byte[] content) {
        return new Digest("sha256", HexFormat.of().formatHex(newSha256().digest(content)));
    }

    public MessageDigest newMessageDigest() {
        try {
            return MessageDigest.getInstance(algorithm.equals("sha256") ? "SHA-256" : "SHA-512");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether the exact bytes hash to this digest. */
    public boolean matches(byte[] content) {
        return HexFormat.of().formatHex(newMessageDigest().digest(content)).equals(hex);
    }

    public boolean matches(MessageDigest finished) {
        return HexFormat.of().formatHex(finished.digest()).equals(hex);
    }

    static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return algorithm + ":" + hex;
    }
}
