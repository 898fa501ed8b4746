package io.helmoci.engine.cloud;

import java.util.Locale;

/**
 * The clouds whose workload identity can stand in for registry Secrets (Flux OCIRepository's
 * {@code provider} values, without {@code generic}, which means "use the Secrets").
 */
public enum CloudProvider {
    /** Amazon ECR: STS AssumeRoleWithWebIdentity, then ECR GetAuthorizationToken. */
    AWS("sts.amazonaws.com"),
    /** Azure Container Registry: an Entra ID token for a client assertion, exchanged at /oauth2/exchange. */
    AZURE("api://AzureADTokenExchange"),
    /** Google Artifact Registry / GCR: an OAuth2 access token used with user oauth2accesstoken. */
    GCP(null);

    private final String defaultAudience;

    CloudProvider(String defaultAudience) {
        this.defaultAudience = defaultAudience;
    }

    /**
     * The audience a Kubernetes ServiceAccount token must carry for this cloud; null for GCP, where it
     * is the workload identity pool provider's (a setting).
     */
    public String defaultAudience() {
        return defaultAudience;
    }

    /** The lower-case name users write (spec.provider, --provider). */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The provider named {@code value} (aws, azure, gcp); null for null, blank or {@code generic}. */
    public static CloudProvider parse(String value) {
        if (value == null || value.isBlank() || value.equalsIgnoreCase("generic")) {
            return null;
        }
        for (CloudProvider provider : values()) {
            if (provider.id().equalsIgnoreCase(value.trim())) {
                return provider;
            }
        }
        throw new IllegalArgumentException("unknown provider " + value + ": use generic, aws, azure or gcp");
    }
}
