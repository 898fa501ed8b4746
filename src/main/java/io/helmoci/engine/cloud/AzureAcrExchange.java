package io.helmoci.engine.cloud;

import com.fasterxml.jackson.databind.JsonNode;
import io.helmoci.engine.EngineException;
import io.helmoci.engine.Reason;
import io.helmoci.engine.registry.Credentials;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import okhttp3.HttpUrl;

/**
 * Azure workload identity for ACR, as azure-identity's WorkloadIdentityCredential and ACR document it:
 * <ol>
 *   <li>POST {authority}/{tenant}/oauth2/v2.0/token, client credentials with the ServiceAccount token
 *       as client assertion, for an Entra ID access token;</li>
 *   <li>POST https://{registry}/oauth2/exchange (grant_type=access_token) for an ACR refresh token;</li>
 *   <li>the refresh token is the registry credential: the engine's bearer flow POSTs it to the
 *       registry's /oauth2/token for each repository's access token (user 00000000-0000-0000-0000-000000000000).</li>
 * </ol>
 * Hand-written rather than azure-identity: two form POSTs, where the SDK would bring azure-core,
 * msal4j, Reactor and Netty into the image and a second HTTP stack next to OkHttp.
 */
final class AzureAcrExchange implements RegistryCredentialsExchange {
    /** The user name ACR expects with a refresh token (docker login with an ACR token). */
    static final String ACR_REFRESH_TOKEN_USER = "00000000-0000-0000-0000-000000000000";

    private static final String ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
    /** Entra errors about the assertion itself: expired or not yet valid (700024), wrong audience (700212). */
    private static final Set<String> TOKEN_REJECTED_CODES = Set.of("AADSTS700024", "AADSTS700212", "AADSTS50027");

    private final CloudSettings settings;
    private final Clock clock;

    AzureAcrExchange(CloudSettings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
    }

    @Override
    public ExchangedCredentials exchange(
            CloudIdentity identity, String registryHost, boolean plainHttp, CloudHttp http) {
        if (identity.principal() == null || identity.tenant() == null || identity.tokens() == null) {
            throw new EngineException(
                    Reason.CloudIdentityNotConfigured,
                    identity.subject() + " has no Azure client ID or tenant ID for workload identity: annotate the"
                            + " ServiceAccount with azure.workload.identity/client-id (and azure.workload.identity/tenant-id),"
                            + " or set AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_FEDERATED_TOKEN_FILE.");
        }
        TokenEndpoint endpoint = new TokenEndpoint(http);
        String assertion = identity.tokens().token();
        HttpUrl tokenUrl = HttpUrl.get(settings.azureAuthorityHost().toString())
                .newBuilder()
                .addPathSegment(identity.tenant())
                .addPathSegments("oauth2/v2.0/token")
                .build();
        Map<String, String> form = new LinkedHashMap<>();
        form.put("client_id", identity.principal());
        form.put("scope", settings.azureScope());
        form.put("grant_type", "client_credentials");
        form.put("client_assertion_type", ASSERTION_TYPE);
        form.put("client_assertion", assertion);
        JsonNode entra;
        try {
            entra = endpoint.post(tokenUrl, form, "Entra ID token endpoint");
        } catch (TokenEndpoint.RefusedException e) {
            throw entraRefusal(identity, e.refusal);
        }
        String accessToken = TokenEndpoint.requireText(entra, "access_token", "Entra ID");
        Instant accessExpiry =
                TokenEndpoint.expiry(entra, clock, clock.instant().plusSeconds(300));

        HttpUrl exchangeUrl = HttpUrl.get((plainHttp ? "http://" : "https://") + registryHost + "/oauth2/exchange");
        Map<String, String> exchangeForm = new LinkedHashMap<>();
        exchangeForm.put("grant_type", "access_token");
        exchangeForm.put("service", hostWithoutPort(registryHost));
        exchangeForm.put("tenant", identity.tenant());
        exchangeForm.put("access_token", accessToken);
        JsonNode acr;
        try {
            acr = endpoint.post(exchangeUrl, exchangeForm, "ACR token exchange of " + registryHost);
        } catch (TokenEndpoint.RefusedException e) {
            throw new EngineException(
                    e.refusal.status() >= 500 ? Reason.CloudIdentityUnavailable : Reason.CloudAccessDenied,
                    "Registry " + registryHost + " refused to exchange the Entra ID token of " + identity.subject()
                            + " (application " + identity.principal() + ") for a refresh token: "
                            + e.refusal.summary()
                            + ". Give the application the AcrPull role on the registry (or a repository permission).");
        }
        String refreshToken = TokenEndpoint.requireText(acr, "refresh_token", "ACR token exchange of " + registryHost);
        // ACR refresh tokens are JWTs (about 3 hours); without a readable exp, renew with the Entra token.
        Instant expiry = TokenEndpoint.jwtExpiry(refreshToken);
        return new ExchangedCredentials(
                Credentials.identityToken(ACR_REFRESH_TOKEN_USER, refreshToken),
                expiry == null ? accessExpiry : expiry);
    }

    private static EngineException entraRefusal(CloudIdentity identity, TokenEndpoint.Refusal refusal) {
        if (refusal.status() >= 500) {
            return new EngineException(
                    Reason.CloudIdentityUnavailable,
                    "Entra ID failed to issue a token for " + identity.subject() + ": " + refusal.summary()
                            + ". Retried with backoff.");
        }
        boolean tokenProblem = TOKEN_REJECTED_CODES.stream()
                .anyMatch(code -> refusal.description().contains(code));
        if (tokenProblem) {
            return new EngineException(
                    Reason.CloudIdentityRejected,
                    "Entra ID rejected the ServiceAccount token of " + identity.subject() + ": " + refusal.summary()
                            + ". The token must be unexpired and have audience api://AzureADTokenExchange;"
                            + " check the federated credential's audience and the clocks.");
        }
        return new EngineException(
                Reason.CloudAccessDenied,
                "Entra ID refused a token for application " + identity.principal() + " to " + identity.subject() + ": "
                        + refusal.summary()
                        + ". Add a federated credential to the application with this cluster's issuer and subject"
                        + " system:serviceaccount:<namespace>:<name>.");
    }

    private static String hostWithoutPort(String registryHost) {
        int colon = registryHost.lastIndexOf(':');
        return colon < 0 || registryHost.startsWith("[") ? registryHost : registryHost.substring(0, colon);
    }
}
