package io.helmoci.testbed.cloud;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.helmoci.testbed.ScriptedHttpServer;
import java.nio.charset.StandardCharsets;
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
 * Google on loopback, as documented: the STS token exchange (RFC 8693, POST /v1/token) of workload
 * identity federation, which checks the grant and token types, the scope, that the pool provider
 * audience is known, and the subject token (signature, issuer, audience = that provider, expiry);
 * and the GCE metadata server's default service account token (GET with Metadata-Flavor: Google).
 * Access tokens are opaque, short-lived as configured, and accepted by {@link #accepts} with user
 * oauth2accesstoken for the repositories their principal was granted.
 */
public final class GoogleTestbed implements AutoCloseable {
    public static final String METADATA_PRINCIPAL = "metadata-default-service-account";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();

    public record Issued(String principal, String token, Instant at, Instant expiresAt) {}

    private final ServiceAccountTokenVerifier verifier;
    private final String providerAudience;
    private final ScriptedHttpServer sts;
    private final ScriptedHttpServer metadata;
    private final Map<String, Issued> tokens = new ConcurrentHashMap<>();
    private final List<Issued> issued = Collections.synchronizedList(new ArrayList<>());
    private final List<String> subjectTokensSeen = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, Set<String>> grants = new ConcurrentHashMap<>();
    private volatile Duration lifetime = Duration.ofHours(1);

    public GoogleTestbed(ServiceAccountTokenVerifier verifier, String providerAudience) {
        this.verifier = verifier;
        this.providerAudience = providerAudience;
        this.sts = ScriptedHttpServer.start((exchange, request) -> {
            Map<String, String> form = AwsTestbed.form(request.bodyText());
            if (!request.method().equals("POST") || !request.path().equals("/v1/token")) {
                ScriptedHttpServer.respond(exchange, 404, Map.of(), "");
                return;
            }
            if (!"urn:ietf:params:oauth:grant-type:token-exchange".equals(form.get("grant_type"))
                    || !"urn:ietf:params:oauth:token-type:jwt".equals(form.get("subject_token_type"))
                    || !"urn:ietf:params:oauth:token-type:access_token".equals(form.get("requested_token_type"))
                    || !"https://www.googleapis.com/auth/cloud-platform".equals(form.get("scope"))) {
                json(exchange, 400, Map.of("error", "invalid_request", "error_description", "unsupported exchange"));
                return;
            }
            if (!providerAudience.equals(form.get("audience"))) {
                json(exchange, 400, Map.of("error", "invalid_target", "error_description", "unknown audience"));
                return;
            }
            String subjectToken = form.getOrDefault("subject_token", "");
            subjectTokensSeen.add(subjectToken);
            ServiceAccountTokenVerifier.Verified verified;
            try {
                verified = this.verifier.verify(subjectToken, providerAudience);
            } catch (ServiceAccountTokenVerifier.RejectedToken e) {
                json(exchange, 400, Map.of("error", "invalid_grant", "error_description", e.getMessage()));
                return;
            }
            json(exchange, 200, issue("principal://" + verified.subject()));
        });
        this.metadata = ScriptedHttpServer.start((exchange, request) -> {
            if (!"Google".equals(request.header("metadata-flavor"))) {
                ScriptedHttpServer.respond(exchange, 403, Map.of(), "Missing Metadata-Flavor:Google header");
                return;
            }
            if (!request.path().equals("/computeMetadata/v1/instance/service-accounts/default/token")) {
                ScriptedHttpServer.respond(exchange, 404, Map.of(), "");
                return;
            }
            json(exchange, 200, issue(METADATA_PRINCIPAL));
        });
    }

    private Map<String, Object> issue(String principal) {
        byte[] random = new byte[24];
        RANDOM.nextBytes(random);
        String token = "ya29.testbed-" + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        Instant now = Instant.now();
        Issued record = new Issued(principal, token, now, now.plus(lifetime));
        tokens.put(token, record);
        issued.add(record);
        return Map.of("access_token", token, "expires_in", lifetime.toSeconds(), "token_type", "Bearer");
    }

    private static void json(com.sun.net.httpserver.HttpExchange exchange, int status, Map<String, Object> body)
            throws java.io.IOException {
        ScriptedHttpServer.respond(
                exchange, status, Map.of("Content-Type", "application/json"), JSON.writeValueAsBytes(body));
    }

    /** How long access tokens live from now on. */
    public GoogleTestbed accessTokenLifetime(Duration lifetime) {
        this.lifetime = lifetime;
        return this;
    }

    /** Artifact Registry Reader on repositories under {@code prefix} for a ServiceAccount. */
    public GoogleTestbed grant(String prefix, String namespace, String serviceAccount) {
        grants.computeIfAbsent(prefix, p -> ConcurrentHashMap.newKeySet())
                .add("principal://system:serviceaccount:" + namespace + ":" + serviceAccount);
        return this;
    }

    /** Reader on repositories under {@code prefix} for the metadata server's default service account. */
    public GoogleTestbed grantMetadataAccount(String prefix) {
        grants.computeIfAbsent(prefix, p -> ConcurrentHashMap.newKeySet()).add(METADATA_PRINCIPAL);
        return this;
    }

    /** The registry's check: Basic oauth2accesstoken:<unexpired token> of a principal granted the repository. */
    public boolean accepts(String authorization, String repository) {
        if (authorization == null || !authorization.startsWith("Basic ")) {
            return false;
        }
        String decoded = new String(
                Base64.getDecoder().decode(authorization.substring("Basic ".length())), StandardCharsets.UTF_8);
        if (!decoded.startsWith("oauth2accesstoken:")) {
            return false;
        }
        Issued token = tokens.get(decoded.substring("oauth2accesstoken:".length()));
        if (token == null || !Instant.now().isBefore(token.expiresAt())) {
            return false;
        }
        return grants.entrySet().stream()
                .anyMatch(grant -> repository.startsWith(grant.getKey())
                        && grant.getValue().contains(token.principal()));
    }

    public String stsUrl() {
        return sts.url() + "/v1/token";
    }

    public String metadataHost() {
        return metadata.hostPort();
    }

    public String providerAudience() {
        return providerAudience;
    }

    public List<Issued> issued() {
        return List.copyOf(issued);
    }

    public int metadataRequestCount() {
        return metadata.requests().size();
    }

    public List<String> subjectTokensSeen() {
        return List.copyOf(subjectTokensSeen);
    }

    @Override
    public void close() {
        sts.close();
        metadata.close();
    }
}
