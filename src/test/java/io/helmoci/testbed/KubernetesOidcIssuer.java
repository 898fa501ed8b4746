package io.helmoci.testbed;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The test kube-apiserver's ServiceAccount token issuer, made discoverable where OIDC clients look
 * for it. kube-api-test 7.4.0 starts the API server with {@code --service-account-issuer
 * https://localhost} (hard-coded), so its tokens name {@code https://localhost} and a relying party
 * (Fulcio) fetches {@code https://localhost/.well-known/openid-configuration} on port 443. This
 * server listens on 127.0.0.1:443 (TLS with a certificate of {@link TestCa#shared()}) and answers
 * the discovery document and the JWKS with what the real API server serves at
 * {@code /.well-known/openid-configuration} and {@code /openid/v1/jwks} (read as admin), the JWKS
 * address rewritten to this server. The keys are the API server's own: tokens from
 * {@code kubectl create token} verify with them.
 */
public final class KubernetesOidcIssuer implements AutoCloseable {
    public static final String ISSUER = "https://localhost";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ScriptedHttpServer server;

    private KubernetesOidcIssuer(ScriptedHttpServer server) {
        this.server = server;
    }

    public static KubernetesOidcIssuer start(KubeApiServerFixture kube, Path dir) throws Exception {
        TestCa ca = TestCa.shared();
        Files.createDirectories(dir);
        TestCa.Issued certificate = ca.issueServerCertificate(dir, "oidc-issuer");
        ScriptedHttpServer server = ScriptedHttpServer.startOn(
                443,
                (exchange, request) -> {
                    switch (request.path()) {
                        case "/.well-known/openid-configuration" -> {
                            ObjectNode discovery =
                                    (ObjectNode) JSON.readTree(kube.client().raw("/.well-known/openid-configuration"));
                            discovery.put("jwks_uri", ISSUER + "/openid/v1/jwks");
                            ScriptedHttpServer.respond(
                                    exchange,
                                    200,
                                    Map.of("Content-Type", "application/json"),
                                    JSON.writeValueAsString(discovery));
                        }
                        case "/openid/v1/jwks" ->
                            ScriptedHttpServer.respond(
                                    exchange,
                                    200,
                                    Map.of("Content-Type", "application/jwk-set+json"),
                                    kube.client().raw("/openid/v1/jwks"));
                        default -> ScriptedHttpServer.respond(exchange, 404, Map.of(), "not found");
                    }
                },
                ScriptedHttpServer.serverContext(certificate, ca));
        return new KubernetesOidcIssuer(server);
    }

    /** What Go programs need to trust this issuer's TLS certificate ({@code SSL_CERT_FILE}). */
    public static Path caFile() {
        return TestCa.shared().caFile();
    }

    @Override
    public void close() {
        server.close();
    }
}
