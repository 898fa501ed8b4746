package io.helmoci.engine.cloud;

import java.util.Objects;

/**
 * Who asks the cloud for registry credentials.
 *
 * @param provider  the cloud
 * @param subject   who this is, for messages and the cache key (e.g. {@code ServiceAccount team-a/puller}), never a secret
 * @param principal the cloud principal to become: the IAM role ARN (aws), the application (client) ID (azure); null for gcp
 * @param tenant    the Entra tenant ID (azure); null otherwise
 * @param audience  the workload identity pool provider audience for STS (gcp with an identity token); null otherwise
 * @param tokens    the OIDC token source; null for gcp on the metadata server (the server knows who it is talking to)
 */
public record CloudIdentity(
        CloudProvider provider,
        String subject,
        String principal,
        String tenant,
        String audience,
        IdentityTokenSource tokens) {
    public CloudIdentity {
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(subject, "subject");
    }

    /** What the cached credentials depend on (everything but the token source itself). */
    String cacheKey(String registryHost) {
        return provider + "\0" + subject + "\0" + principal + "\0" + tenant + "\0" + audience + "\0"
                + (tokens == null ? "metadata" : "token") + "\0" + registryHost;
    }

    @Override
    public String toString() {
        return "CloudIdentity[" + provider.id() + ", " + subject + (principal == null ? "" : ", " + principal) + "]";
    }
}
