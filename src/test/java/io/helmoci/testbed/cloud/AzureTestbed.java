package io.helmoci.testbed.cloud;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import io.helmoci.testbed.RegistryFixture;
import io.helmoci.testbed.ScriptedHttpServer;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Azure on loopback, as documented:
 * <ul>
 *   <li>the Entra ID token endpoint (POST /{tenant}/oauth2/v2.0/token, reached through
 *       AZURE_AUTHORITY_HOST): client credentials with a JWT client assertion, checked against the
 *       application's federated credentials (issuer, subject, audience api://AzureADTokenExchange)
 *       and for expiry, with Entra's own AADSTS error codes;</li>
 *   <li>an ACR in front of a real registry: /oauth2/exchange (grant_type=access_token, the Entra
 *       token, tenant and service) answers a refresh token to applications with AcrPull;
 *       /oauth2/token trades the refresh token for repository access tokens; /v2/ accepts only those.</li>
 * </ul>
 */
public final class AzureTestbed implements AutoCloseable {
    public static final String AUDIENCE = "api://AzureADTokenExchange";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();

    private record Grant(String clientId, String tenant, Instant expiresAt, String scope) {}

    /** A refresh token the registry issued. */
    public record Refresh(String clientId, String token, Instant at, Instant expiresAt) {}

    private final ServiceAccountTokenVerifier verifier;
    private final ScriptedHttpServer entra;
    private final CloudRegistryFront registry;
    private final Map<String, String> federatedSubjects = new ConcurrentHashMap<>();
    private final Set<String> acrPull = ConcurrentHashMap.newKeySet();
    private final Map<String, Grant> entraTokens = new ConcurrentHashMap<>();
    private final Map<String, Grant> refreshTokens = new ConcurrentHashMap<>();
    private final Map<String, Grant> accessTokens = new ConcurrentHashMap<>();
    private final List<Refresh> refreshes = Collections.synchronizedList(new ArrayList<>());
    private final List<String> secretsIssued = Collections.synchronizedList(new ArrayList<>());
    private volatile Duration refreshLifetime = Duration.ofHours(3);

    public AzureTestbed(ServiceAccountTokenVerifier verifier, RegistryFixture backend) {
        this.verifier = verifier;
        this.entra = ScriptedHttpServer.start(this::entraToken);
        this.registry = new CloudRegistryFront(
                backend,
                this::accepts,
                front -> "Bearer realm=\"" + front.url() + "/oauth2/token\",service=\"" + host(front) + "\"",
                Map.of("/oauth2/exchange", this::exchange, "/oauth2/token", this::registryToken));
    }

    private static String host(CloudRegistryFront front) {
        return front.hostPort().substring(0, front.hostPort().lastIndexOf(':'));
    }

    /** An application (client ID) with a federated credential for a ServiceAccount. */
    public AzureTestbed federate(String clientId, String namespace, String serviceAccount) {
        federatedSubjects.put(clientId, "system:serviceaccount:" + namespace + ":" + serviceAccount);
        return this;
    }

    /** The AcrPull role on the registry for an application. */
    public AzureTestbed acrPull(String clientId) {
        acrPull.add(clientId);
        return this;
    }

    public AzureTestbed refreshTokenLifetime(Duration lifetime) {
        this.refreshLifetime = lifetime;
        return this;
    }

    /** What to set as AZURE_AUTHORITY_HOST. */
    public String authorityHost() {
        return entra.url() + "/";
    }

    public CloudRegistryFront registry() {
        return registry;
    }

    public List<Refresh> refreshes() {
        return List.copyOf(refreshes);
    }

    /** Every token and refresh token issued, and every assertion received (for the leak checks). */
    public List<String> secrets() {
        return List.copyOf(secretsIssued);
    }

    private void entraToken(HttpExchange exchange, ScriptedHttpServer.Received request) throws IOException {
        String[] path = request.path().split("/");
        // /{tenant}/oauth2/v2.0/token
        if (!request.method().equals("POST")
                || path.length != 5
                || !request.path().endsWith("/oauth2/v2.0/token")) {
            json(exchange, 404, Map.of("error", "not_found"));
            return;
        }
        String tenant = path[1];
        Map<String, String> form = AwsTestbed.form(request.bodyText());
        String clientId = form.getOrDefault("client_id", "");
        String assertion = form.getOrDefault("client_assertion", "");
        secretsIssued.add(assertion);
        if (!"client_credentials".equals(form.get("grant_type"))
                || !"urn:ietf:params:oauth:client-assertion-type:jwt-bearer".equals(form.get("client_assertion_type"))
                || form.get("scope") == null
                || !form.get("scope").endsWith("/.default")) {
            entraError(exchange, 400, "invalid_request", "AADSTS900144: The request body must contain a valid grant.");
            return;
        }
        String subject = federatedSubjects.get(clientId);
        if (subject == null) {
            entraError(
                    exchange,
                    400,
                    "unauthorized_client",
                    "AADSTS700016: Application with identifier '" + clientId + "' was not found in the directory.");
            return;
        }
        ServiceAccountTokenVerifier.Verified verified;
        try {
            verified = verifier.verify(assertion, AUDIENCE);
        } catch (ServiceAccountTokenVerifier.RejectedToken e) {
            String code = switch (e.problem) {
                case EXPIRED -> "AADSTS700024: Client assertion is not within its valid time range.";
                case AUDIENCE ->
                    "AADSTS700212: No matching federated identity record found for presented assertion audience.";
                case ISSUER ->
                    "AADSTS700211: No matching federated identity record found for presented assertion issuer.";
                default -> "AADSTS50027: JWT token is invalid or malformed.";
            };
            entraError(exchange, 400, "invalid_client", code);
            return;
        }
        if (!subject.equals(verified.subject())) {
            entraError(
                    exchange,
                    400,
                    "invalid_client",
                    "AADSTS70021: No matching federated identity record found for presented assertion.");
            return;
        }
        String token = random("entra-");
        entraTokens.put(token, new Grant(clientId, tenant, Instant.now().plusSeconds(3600), null));
        secretsIssued.add(token);
        json(exchange, 200, Map.of("access_token", token, "expires_in", 3600, "token_type", "Bearer"));
    }

    private void exchange(HttpExchange exchange, ScriptedHttpServer.Received request) throws IOException {
        Map<String, String> form = AwsTestbed.form(request.bodyText());
        Grant entraGrant = entraTokens.get(form.getOrDefault("access_token", ""));
        if (!"access_token".equals(form.get("grant_type"))
                || entraGrant == null
                || !Instant.now().isBefore(entraGrant.expiresAt())
                || !entraGrant.tenant().equals(form.get("tenant"))
                || !host(registry).equals(form.get("service"))) {
            json(exchange, 401, Map.of("errors", List.of(Map.of("code", "UNAUTHORIZED", "message", "invalid token"))));
            return;
        }
        if (!acrPull.contains(entraGrant.clientId())) {
            json(exchange, 401, Map.of("errors", List.of(Map.of("code", "UNAUTHORIZED", "message", "no AcrPull"))));
            return;
        }
        Instant now = Instant.now();
        Instant expiresAt = now.plus(refreshLifetime);
        String payload = Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(JSON.writeValueAsBytes(
                        Map.of("exp", expiresAt.getEpochSecond(), "jti", random(""), "grant_type", "refresh_token")));
        String refreshToken = "eyJhbGciOiJub25lIn0." + payload + ".testbed";
        refreshTokens.put(refreshToken, new Grant(entraGrant.clientId(), entraGrant.tenant(), expiresAt, null));
        refreshes.add(new Refresh(entraGrant.clientId(), refreshToken, now, expiresAt));
        secretsIssued.add(refreshToken);
        json(exchange, 200, Map.of("refresh_token", refreshToken));
    }

    private void registryToken(HttpExchange exchange, ScriptedHttpServer.Received request) throws IOException {
        Map<String, String> form = AwsTestbed.form(request.bodyText());
        Grant refresh = refreshTokens.get(form.getOrDefault("refresh_token", ""));
        if (!"refresh_token".equals(form.get("grant_type"))
                || refresh == null
                || !Instant.now().isBefore(refresh.expiresAt())) {
            json(
                    exchange,
                    401,
                    Map.of("errors", List.of(Map.of("code", "UNAUTHORIZED", "message", "invalid refresh token"))));
            return;
        }
        String scope = form.getOrDefault("scope", "");
        String token = random("acr-");
        long seconds =
                Math.max(1, Duration.between(Instant.now(), refresh.expiresAt()).toSeconds());
        accessTokens.put(token, new Grant(refresh.clientId(), refresh.tenant(), refresh.expiresAt(), scope));
        secretsIssued.add(token);
        json(exchange, 200, Map.of("access_token", token, "expires_in", seconds));
    }

    private boolean accepts(String authorization, String repository) {
        if (authorization == null || !authorization.startsWith("Bearer ")) {
            return false;
        }
        Grant grant = accessTokens.get(authorization.substring("Bearer ".length()));
        return grant != null
                && Instant.now().isBefore(grant.expiresAt())
                && List.of(grant.scope().split(" ")).contains("repository:" + repository + ":pull");
    }

    private static void entraError(HttpExchange exchange, int status, String error, String description)
            throws IOException {
        json(exchange, status, Map.of("error", error, "error_description", description));
    }

    private static void json(HttpExchange exchange, int status, Map<String, ?> body) throws IOException {
        ScriptedHttpServer.respond(
                exchange, status, Map.of("Content-Type", "application/json"), JSON.writeValueAsBytes(body));
    }

    private static String random(String prefix) {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        return prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    @Override
    public void close() {
        registry.close();
        entra.close();
    }
}
