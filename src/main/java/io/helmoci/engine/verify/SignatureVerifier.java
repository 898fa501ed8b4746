package io.helmoci.engine.verify;

/**
 * Verifies one provider's signatures of an artifact under one policy. Implementations find the
 * signatures in the registry themselves ({@link SignatureSource}); they throw
 * {@link io.helmoci.engine.EngineException} with one of the signature reasons when no signature
 * verifies, and never return a result for an unverified artifact.
 */
public interface SignatureVerifier {
    VerificationResult verify(SignatureSource source);

    /** The verifier the policy asks for. */
    static SignatureVerifier forPolicy(VerificationPolicy policy) {
        return switch (policy.provider()) {
            case COSIGN -> new CosignVerifier(policy);
            case NOTATION -> new NotationVerifier(policy);
            case HELM -> new HelmProvenanceVerifier(policy);
        };
    }
}
