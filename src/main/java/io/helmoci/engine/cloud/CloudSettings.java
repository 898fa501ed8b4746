package io.helmoci.engine.cloud;

import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Where the clouds' endpoints are and which registry hosts may receive cloud credentials. The
 * defaults are the public clouds'; the overrides exist for private endpoints (VPC endpoints,
 * sovereign clouds) and for the test bed, and are read from the variables the clouds' own tools
 * read ({@link #fromEnvironment}).
 *
 * @param awsStsEndpoint      STS endpoint override (AWS_ENDPOINT_URL_STS); null for the SDK's regional default
 * @param awsEcrEndpoint      ECR endpoint override (AWS_ENDPOINT_URL_ECR); null for the SDK's regional default
 * @param awsRegion           region when the registry host does not name one (AWS_REGION); null for none
 * @param azureAuthorityHost  Entra ID authority (AZURE_AUTHORITY_HOST), default https://login.microsoftonline.com/
 * @param azureScope          the scope of the Entra token exchanged at the registry
 * @param gcpMetadataHost     the GCE metadata server host[:port] (GCE_METADATA_HOST)
 * @param gcpStsUrl           Google STS token URL for workload identity federation
 * @param extraRegistryHosts  host[:port]s besides the clouds' own registry domains that may receive cloud credentials
 *                            (a registry behind a private name); lower case
 */
public record CloudSettings(
        URI awsStsEndpoint,
        URI awsEcrEndpoint,
        String awsRegion,
        URI azureAuthorityHost,
        String azureScope,
        String gcpMetadataHost,
        URI gcpStsUrl,
        Set<String> extraRegistryHosts) {
    public static final URI DEFAULT_AZURE_AUTHORITY_HOST = URI.create("https://login.microsoftonline.com/");
    /** Flux's default: an Azure Resource Manager token, which ACR's /oauth2/exchange accepts. */
    public static final String DEFAULT_AZURE_SCOPE = "https://management.azure.com/.default";

    public static final String DEFAULT_GCP_METADATA_HOST = "metadata.google.internal";
    public static final URI DEFAULT_GCP_STS_URL = URI.create("https://sts.googleapis.com/v1/token");

    public CloudSettings {
        azureAuthorityHost = azureAuthorityHost == null ? DEFAULT_AZURE_AUTHORITY_HOST : azureAuthorityHost;
        azureScope = azureScope == null || azureScope.isBlank() ? DEFAULT_AZURE_SCOPE : azureScope;
        gcpMetadataHost =
                gcpMetadataHost == null || gcpMetadataHost.isBlank() ? DEFAULT_GCP_METADATA_HOST : gcpMetadataHost;
        gcpStsUrl = gcpStsUrl == null ? DEFAULT_GCP_STS_URL : gcpStsUrl;
        extraRegistryHosts = extraRegistryHosts == null
                ? Set.of()
                : Set.copyOf(extraRegistryHosts.stream()
                        .map(h -> h.trim().toLowerCase(Locale.ROOT))
                        .filter(h -> !h.isEmpty())
                        .toList());
    }

    public static CloudSettings defaults() {
        return new CloudSettings(null, null, null, null, null, null, null, Set.of());
    }

    /** The settings from the variables the AWS SDK, azure-identity and google-auth read. */
    public static CloudSettings fromEnvironment(Map<String, String> env) {
        return new CloudSettings(
                uri(first(env, "AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL")),
                uri(first(env, "AWS_ENDPOINT_URL_ECR", "AWS_ENDPOINT_URL")),
                first(env, "AWS_REGION", "AWS_DEFAULT_REGION"),
                uri(first(env, "AZURE_AUTHORITY_HOST")),
                null,
                first(env, "GCE_METADATA_HOST"),
                uri(EnvironmentIdentity.gcpTokenUrl(env)),
                Set.of());
    }

    public CloudSettings withExtraRegistryHosts(Set<String> hosts) {
        return new CloudSettings(
                awsStsEndpoint,
                awsEcrEndpoint,
                awsRegion,
                azureAuthorityHost,
                azureScope,
                gcpMetadataHost,
                gcpStsUrl,
                hosts);
    }

    private static String first(Map<String, String> env, String... names) {
        for (String name : names) {
            String value = env.get(name);
            if (value != null && !value.isBlank()) {
                return value.trim();
            }
        }
        return null;
    }

    private static URI uri(String value) {
        return value == null ? null : URI.create(value);
    }
}
