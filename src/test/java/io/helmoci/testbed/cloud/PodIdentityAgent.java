package io.helmoci.testbed.cloud;

import io.helmoci.testbed.ScriptedHttpServer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The EKS Pod Identity agent on loopback, speaking its documented protocol: {@code GET /v1/credentials}
 * with the pod's projected ServiceAccount token (audience {@code pods.eks.amazonaws.com}, the content
 * of AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE) as the {@code Authorization} header, answering the role
 * credentials as {@code AccessKeyId}, {@code SecretAccessKey}, {@code Token}, {@code AccountId} and
 * {@code Expiration}. Like the real agent (through the EKS Auth API), it checks the token (signature,
 * issuer, audience, expiry: {@link ServiceAccountTokenVerifier}) and looks up the ServiceAccount's
 * Pod Identity association; the role credentials come from moto's STS AssumeRole, so moto's ECR
 * issues that role's account's registry password.
 */
public final class PodIdentityAgent implements AutoCloseable {
    public static final String AUDIENCE = "pods.eks.amazonaws.com";

    private final ServiceAccountTokenVerifier verifier;
    private final AwsTestbed aws;
    private final ScriptedHttpServer server;
    private final Map<String, String> associations = new ConcurrentHashMap<>();
    private final List<String> tokensSeen = Collections.synchronizedList(new ArrayList<>());
    private final List<String> served = Collections.synchronizedList(new ArrayList<>());

    public PodIdentityAgent(ServiceAccountTokenVerifier verifier, AwsTestbed aws) {
        this.verifier = verifier;
        this.aws = aws;
        this.server = ScriptedHttpServer.start((exchange, request) -> {
            if (!request.method().equals("GET") || !request.path().equals("/v1/credentials")) {
                error(exchange, 404, "ResourceNotFoundException", "unknown path");
                return;
            }
            String token = request.header("Authorization");
            if (token == null || token.isBlank()) {
                error(exchange, 400, "InvalidParameterException", "missing Authorization header");
                return;
            }
            tokensSeen.add(token);
            ServiceAccountTokenVerifier.Verified verified;
            try {
                verified = verifier.verify(token, AUDIENCE);
            } catch (ServiceAccountTokenVerifier.RejectedToken e) {
                error(exchange, 400, "InvalidTokenException", e.getMessage());
                return;
            }
            String role = associations.get(verified.subject());
            if (role == null) {
                error(exchange, 400, "AccessDeniedException", "no Pod Identity association for " + verified.subject());
                return;
            }
            AwsTestbed.SessionCredentials credentials = aws.assumeRole(role);
            served.add(verified.subject());
            ScriptedHttpServer.respond(exchange, 200, Map.of("Content-Type", "application/json"), """
                    {"AccessKeyId":"%s","SecretAccessKey":"%s","Token":"%s","AccountId":"%s","Expiration":"%s"}""".formatted(
                            credentials.accessKeyId(),
                            credentials.secretAccessKey(),
                            credentials.sessionToken(),
                            role.split(":")[4],
                            credentials.expiration()));
        });
    }

    /** A Pod Identity association: pods running as the ServiceAccount get {@code roleArn}. */
    public PodIdentityAgent associate(String namespace, String serviceAccount, String roleArn) {
        associations.put("system:serviceaccount:" + namespace + ":" + serviceAccount, roleArn);
        return this;
    }

    /** What to set as AWS_CONTAINER_CREDENTIALS_FULL_URI. */
    public String credentialsUri() {
        return server.url() + "/v1/credentials";
    }

    /** The ServiceAccount subjects the agent gave credentials to, in order. */
    public List<String> served() {
        return List.copyOf(served);
    }

    public List<String> tokensSeen() {
        return List.copyOf(tokensSeen);
    }

    private static void error(com.sun.net.httpserver.HttpExchange exchange, int status, String code, String message)
            throws java.io.IOException {
        ScriptedHttpServer.respond(
                exchange,
                status,
                Map.of("Content-Type", "application/json"),
                "{\"errorCode\":\"" + code + "\",\"message\":\"" + message.replace("\"", "'") + "\"}");
    }

    @Override
    public void close() {
        server.close();
    }
}
