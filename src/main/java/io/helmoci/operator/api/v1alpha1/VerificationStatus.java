package io.helmoci.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The last successful signature verification. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class VerificationStatus {
    @JsonPropertyDescription("cosign, notation or helm.")
    private String provider;

    @JsonPropertyDescription("Who signed: key fingerprint, certificate subject and issuer, or PGP key id and user id.")
    private String signer;

    @JsonPropertyDescription("The verified manifest digest.")
    private String manifestDigest;

    @JsonPropertyDescription("Digest of the signature artifact (signature manifest, or provenance layer).")
    private String signatureDigest;

    @JsonPropertyDescription(
            "sha256 of the policy (provider and Secret content) it was verified under; a change verifies again.")
    private String policy;

    @JsonPropertyDescription("When it was verified (RFC 3339).")
    private String verifiedAt;

    public String getProvider() {
        return provider;
    }

    public void setProvider(String provider) {
        this.provider = provider;
    }

    public String getSigner() {
        return signer;
    }

    public void setSigner(String signer) {
        this.signer = signer;
    }

    public String getManifestDigest() {
        return manifestDigest;
    }

    public void setManifestDigest(String manifestDigest) {
        this.manifestDigest = manifestDigest;
    }

    public String getSignatureDigest() {
        return signatureDigest;
    }

    public void setSignatureDigest(String signatureDigest) {
        this.signatureDigest = signatureDigest;
    }

    public String getPolicy() {
        return policy;
    }

    public void setPolicy(String policy) {
        this.policy = policy;
    }

    public String getVerifiedAt() {
        return verifiedAt;
    }

    public void setVerifiedAt(String verifiedAt) {
        this.verifiedAt = verifiedAt;
    }
}
