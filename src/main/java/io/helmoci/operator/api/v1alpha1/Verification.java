package io.helmoci.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/** Who must have signed the chart, with field names as Flux's OCIRepository {@code spec.verify} uses them. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Verification {
    @Required
    @ValidationRule(
            value = "self in ['cosign', 'notation', 'helm']",
            message = "must be cosign, notation or helm",
            reason = "FieldValueInvalid")
    @JsonPropertyDescription(
            "cosign (Sigstore bundle referrer or .sig tag), notation (JWS referrer) or helm (the .prov layer helm push uploads).")
    private String provider;

    @JsonPropertyDescription(
            "A Secret in this namespace with the trust material. cosign: public keys under keys ending in .pub (any may match). "
                    + "notation: trustpolicy.json and the trust store certificates under keys ending in .crt or .pem. "
                    + "helm: an OpenPGP public keyring under keys ending in .gpg or .asc (gpg --export). "
                    + "cosign keyless (with matchOIDCIdentity): optional, a custom Sigstore trusted root under trusted_root.json "
                    + "(default: the Sigstore public-good instance).")
    private LocalReference secretRef;

    @JsonPropertyDescription(
            "cosign keyless: the signing certificate's OIDC issuer and identity must match one entry's regular expressions "
                    + "(unanchored, as cosign --certificate-identity-regexp: anchor with ^...$), and carry a signed timestamp "
                    + "of a timestamp authority of the trusted root.")
    private List<OIDCIdentityMatch> matchOIDCIdentity;

    public String getProvider() {
        return provider;
    }

    public void setProvider(String provider) {
        this.provider = provider;
    }

    public LocalReference getSecretRef() {
        return secretRef;
    }

    public void setSecretRef(LocalReference secretRef) {
        this.secretRef = secretRef;
    }

    public List<OIDCIdentityMatch> getMatchOIDCIdentity() {
        return matchOIDCIdentity;
    }

    public void setMatchOIDCIdentity(List<OIDCIdentityMatch> matchOIDCIdentity) {
        this.matchOIDCIdentity = matchOIDCIdentity;
    }

    /** One keyless identity: regular expressions for the certificate's OIDC issuer and subject. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class OIDCIdentityMatch {
        @Required
        @JsonPropertyDescription("Regular expression for the OIDC issuer.")
        private String issuer;

        @Required
        @JsonPropertyDescription("Regular expression for the identity (certificate SAN).")
        private String subject;

        public String getIssuer() {
            return issuer;
        }

        public void setIssuer(String issuer) {
            this.issuer = issuer;
        }

        public String getSubject() {
            return subject;
        }

        public void setSubject(String subject) {
            this.subject = subject;
        }
    }
}
