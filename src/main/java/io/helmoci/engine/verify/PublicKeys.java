package io.helmoci.engine.verify;

import io.helmoci.engine.EngineException;
import io.helmoci.engine.Reason;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** PEM public keys ({@code -----BEGIN PUBLIC KEY-----}, PKIX), as cosign writes them, and the JDK's signature check. */
final class PublicKeys {
    private static final Pattern PEM =
            Pattern.compile("-----BEGIN PUBLIC KEY-----([A-Za-z0-9+/=\\s]+)-----END PUBLIC KEY-----");

    /** A trusted key and its fingerprint, {@code sha256:<hex>} of the DER SubjectPublicKeyInfo. */
    record TrustedKey(PublicKey key, String fingerprint) {}

    private PublicKeys() {}

    static List<TrustedKey> parse(List<byte[]> pemFiles) {
        List<TrustedKey> keys = new ArrayList<>();
        for (byte[] file : pemFiles) {
            Matcher pem = PEM.matcher(new String(file, StandardCharsets.US_ASCII));
            boolean any = false;
            while (pem.find()) {
                any = true;
                byte[] der = Base64.getMimeDecoder().decode(pem.group(1));
                keys.add(new TrustedKey(decode(der), fingerprint(der)));
            }
            if (!any) {
                throw new EngineException(
                        Reason.VerificationPolicyInvalid,
                        "A cosign public key is not a PEM 'PUBLIC KEY' block."
                                + " Give the cosign.pub that 'cosign generate-key-pair' wrote (or 'cosign public-key --key ...').");
            }
        }
        if (keys.isEmpty()) {
            throw new EngineException(
                    Reason.VerificationPolicyInvalid,
                    "Cosign key-based verification needs at least one public key."
                            + " Give the cosign.pub that 'cosign generate-key-pair' wrote.");
        }
        return keys;
    }

    private static PublicKey decode(byte[] der) {
        for (String algorithm : List.of("EC", "RSA", "Ed25519")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new EngineException(
                Reason.VerificationPolicyInvalid,
                "A cosign public key is neither ECDSA, RSA nor Ed25519."
                        + " Give the cosign.pub that 'cosign generate-key-pair' wrote.");
    }

    static String fingerprint(byte[] der) {
        try {
            return "sha256:"
                    + HexFormat.of()
                            .formatHex(MessageDigest.getInstance("SHA-256").digest(der));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether {@code signature} (ASN.1 DER for ECDSA, as cosign writes it) signs SHA-256 of {@code data} with {@code key}. */
    static boolean verifies(PublicKey key, byte[] data, byte[] signature) {
        String algorithm = switch (key.getAlgorithm()) {
            case "EC" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            default -> "Ed25519";
        };
        try {
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(key);
            verifier.update(data);
            return verifier.verify(signature);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false; // malformed DER or wrong key type: this key did not make it
        }
    }
}
