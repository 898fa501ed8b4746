package io.helmoci.engine.verify;

import java.time.Instant;
import java.util.List;

/**
 * A signature that verified under the policy.
 *
 * @param provider        whose signature it is
 * @param subjectDigest   the manifest digest the signature covers (the digest the tag resolved to)
 * @param signer          who signed
 * @param signatureDigest digest of the signature artifact: the signature manifest (cosign, notation) or
 *                        the provenance layer (helm)
 * @param format          how the signature was stored, e.g. {@code sigstore-bundle}, {@code cosign-simplesigning},
 *                        {@code notation-jws}, {@code helm-provenance}
 * @param verifiedAt      when the verification ran
 * @param warnings        checks the policy only logs (notation permissive/audit), and what was not checked
 */
public record VerificationResult(
        Provider provider,
        String subjectDigest,
        Signer signer,
        String signatureDigest,
        String format,
        Instant verifiedAt,
        List<String> warnings) {
    public VerificationResult {
        warnings = List.copyOf(warnings);
    }
}
