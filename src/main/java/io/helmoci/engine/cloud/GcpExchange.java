package io.helmoci.engine.cloud;

import com.fasterxml.jackson.databind.JsonNode;
import io.helmoci.engine.EngineException;
import io.helmoci.engine.Reason;
import io.helmoci.engine.registry.Credentials;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;

/**
 * Google access tokens for Artifact Registry and GCR, used with user {@code oauth2accesstoken}:
 * <ul>
 *   <li>with an identity token (a ServiceAccount token for a workload identity pool provider): Google
 *       STS token exchange (RFC 8693) at sts.googleapis.com/v1/token, as google-auth's
 *       IdentityPoolCredentials do;</li>
 *   <li>without one: the metadata server's default service account token (GKE workload identity,
 *       GCE), at GCE_METADATA_HOST as google-auth reads it.</li>
 * </ul>
 * Hand-written rather than google-auth-library: one POST or one GET, where the library would bring
 * google-http-client, Guava and its own HTTP transport into the image.
 */
final class GcpExchange implements RegistryCredentialsExchange {
    static final String REGISTRY_USER = "oauth2accesstoken";
    private static final String CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform";

    private final TokenEndpoint metadataServer;
    private final CloudSettings settings;
    private final Clock clock;

    /**
     * @param direct the client for the metadata server: always reached directly, never through a proxy, since
     *               it is the node's own link-local server (through a proxy it would be the proxy's node's, with
     *               another identity, or unreachable)
     */
    GcpExchange(OkHttpClient direct, CloudSettings settings, Clock clock) {
        this.metadataServer = new TokenEndpoint(
                new CloudHttp(direct.newBuilder().proxy(java.net.Proxy.NO_PROXY).build(), null));
        this.settings = settings;
        this.clock = clock;
    }

    @Override
    public ExchangedCredentials exchange(
            CloudIdentity identity, String registryHost, boolean plainHttp, CloudHttp http) {
        JsonNode answer =
                identity.tokens() == null ? fromMetadataServer(identity) : fromSts(identity, new TokenEndpoint(http));
        String accessToken = TokenEndpoint.requireText(answer, "access_token", "Google");
        Instant expiry = TokenEndpoint.expiry(answer, clock, clock.instant().plusSeconds(300));
        return new ExchangedCredentials(Credentials.basic(REGISTRY_USER, accessToken), expiry);
    }

    private JsonNode fromSts(CloudIdentity identity, TokenEndpoint endpoint) {
        if (identity.audience() == null || identity.audience().isBlank()) {
            throw new EngineException(
                    Reason.CloudIdentityNotConfigured,
                    "No workload identity pool provider audience is set for " + identity.subject()
                            + ": set helmoci.identity.gcp.audience (//iam.googleapis.com/projects/<number>/locations/global/"
                            + "workloadIdentityPools/<pool>/providers/<provider>), or the audience of the credential configuration file.");
        }
        String subjectToken = identity.tokens().token();
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange");
        form.put("audience", identity.audience());
        form.put("scope", CLOUD_PLATFORM_SCOPE);
        form.put("requested_token_type", "urn:ietf:params:oauth:token-type:access_token");
        form.put("subject_token_type", "urn:ietf:params:oauth:token-type:jwt");
        form.put("subject_token", subjectToken);
        try {
            return endpoint.post(HttpUrl.get(settings.gcpStsUrl().toString()), form, "Google STS");
        } catch (TokenEndpoint.RefusedException e) {
            TokenEndpoint.Refusal refusal = e.refusal;
            if (refusal.status() >= 500) {
                throw new EngineException(
                        Reason.CloudIdentityUnavailable,
                        "Google STS failed for " + identity.subject() + ": " + refusal.summary()
                                + ". Retried with backoff.");
            }
            if ("invalid_grant".equals(refusal.error())) {
                throw new EngineException(
                        Reason.CloudIdentityRejected,
                        "Google STS rejected the ServiceAccount token of " + identity.subject() + ": "
                                + refusal.summary()
                                + ". The token must be unexpired and carry the pool provider's audience; check the"
                                + " provider's issuer and allowed audiences.");
            }
            throw new EngineException(
                    Reason.CloudAccessDenied,
                    "Google STS refused an access token for " + identity.subject() + ": " + refusal.summary()
                            + ". Check the workload identity pool provider's attribute condition and the principal's"
                            + " Artifact Registry Reader binding.");
        }
    }

    private JsonNode fromMetadataServer(CloudIdentity identity) {
        HttpUrl url = HttpUrl.get(
                "http://" + settings.gcpMetadataHost() + "/computeMetadata/v1/instance/service-accounts/default/token");
        try {
            return metadataServer.get(url, Map.of("Metadata-Flavor", "Google"), "the GCE metadata server");
        } catch (TokenEndpoint.RefusedException e) {
            Reason reason = e.refusal.status() >= 500 ? Reason.CloudIdentityUnavailable : Reason.CloudAccessDenied;
            throw new EngineException(
                    reason,
                    "The metadata server gave no access token for " + identity.subject() + ": " + e.refusal.summary()
                            + ". On GKE, bind the Kubernetes ServiceAccount to a Google service account"
                            + " (workload identity) or grant its principal access.");
        }
    }
}
