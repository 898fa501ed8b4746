package io.helmoci.engine.verify;

/**
 * Who made a verified signature, as far as the signature proves it. Fields that do not apply to the
 * provider are null.
 *
 * @param keyFingerprint        {@code sha256:<hex>} of the public key's DER SubjectPublicKeyInfo (cosign keys),
 *                              or the OpenPGP v4 fingerprint (helm)
 * @param certificateSubject    the signing certificate's subject DN (notation) or SAN identity (cosign keyless)
 * @param certificateIssuer     the certificate issuer's DN (notation) or the OIDC issuer (cosign keyless)
 * @param pgpKeyId              the OpenPGP key id, 16 hex digits (helm)
 * @param pgpUserId             the first user id of that key (helm)
 */
public record Signer(
        String keyFingerprint, String certificateSubject, String certificateIssuer, String pgpKeyId, String pgpUserId) {
    public static Signer key(String fingerprint) {
        return new Signer(fingerprint, null, null, null, null);
    }

    public static Signer certificate(String subject, String issuer) {
        return new Signer(null, subject, issuer, null, null);
    }

    public static Signer pgp(String fingerprint, String keyId, String userId) {
        return new Signer(fingerprint, null, null, keyId, userId);
    }

    /** One line for status and terminal output. */
    public String describe() {
        if (pgpKeyId != null) {
            return "PGP key " + pgpKeyId + (pgpUserId == null ? "" : " (" + pgpUserId + ")");
        }
        if (certificateSubject != null) {
            return "certificate " + certificateSubject
                    + (certificateIssuer == null ? "" : " issued by " + certificateIssuer);
        }
        return "key " + keyFingerprint;
    }
}
