package io.helmoci.testbed.cloud;

import io.helmoci.testbed.ScriptedHttpServer;
import io.helmoci.testbed.Tools;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * AWS on loopback: the real {@code moto} server (PyPI moto[server], from tools/install.sh) for STS
 * AssumeRoleWithWebIdentity and ECR GetAuthorizationToken, behind a small STS gate that checks what
 * moto does not: the web identity token (signature, issuer, audience sts.amazonaws.com, expiry,
 * through {@link ServiceAccountTokenVerifier}) and the role's trust policy (which ServiceAccount
 * subject may assume it). Valid requests are forwarded to moto unchanged; refusals use STS's own
 * error codes (InvalidIdentityToken, ExpiredTokenException, AccessDenied).
 *
 * <p>moto's ECR answers {@code AWS:<account>-auth-token} for the account of the assumed role, so a
 * registry that accepts only that password accepts only credentials issued to that role.
 */
public final class AwsTestbed implements AutoCloseable {
    public static final String AUDIENCE = "sts.amazonaws.com";

    /** One AssumeRoleWithWebIdentity the gate saw. */
    public record Assumption(String roleArn, String subject, int status, Instant at) {}

    private final Process moto;
    private final URI motoUrl;
    private final ScriptedHttpServer gate;
    private final ServiceAccountTokenVerifier verifier;
    private final Map<String, String> trust = new ConcurrentHashMap<>();
    private final List<Assumption> assumptions = Collections.synchronizedList(new ArrayList<>());
    private final List<String> tokensSeen = Collections.synchronizedList(new ArrayList<>());
    private final HttpClient http = HttpClient.newHttpClient();

    private AwsTestbed(Process moto, URI motoUrl, ServiceAccountTokenVerifier verifier) {
        this.moto = moto;
        this.motoUrl = motoUrl;
        this.verifier = verifier;
        this.gate = ScriptedHttpServer.start((exchange, request) -> {
            Map<String, String> form = form(request.bodyText());
            if (!"AssumeRoleWithWebIdentity".equals(form.get("Action"))) {
                forward(exchange, request.bodyText(), request.header("content-type"));
                return;
            }
            String role = form.getOrDefault("RoleArn", "");
            String token = form.getOrDefault("WebIdentityToken", "");
            tokensSeen.add(token);
            ServiceAccountTokenVerifier.Verified verified;
            try {
                verified = this.verifier.verify(token, AUDIENCE);
            } catch (ServiceAccountTokenVerifier.RejectedToken e) {
                boolean expired = e.problem == ServiceAccountTokenVerifier.Problem.EXPIRED;
                assumptions.add(new Assumption(role, null, 400, Instant.now()));
                error(exchange, 400, expired ? "ExpiredTokenException" : "InvalidIdentityToken", e.getMessage());
                return;
            }
            String allowed = trust.get(role);
            if (allowed == null || !allowed.equals(verified.subject())) {
                assumptions.add(new Assumption(role, verified.subject(), 403, Instant.now()));
                error(exchange, 403, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity");
                return;
            }
            assumptions.add(new Assumption(role, verified.subject(), 200, Instant.now()));
            forward(exchange, request.bodyText(), request.header("content-type"));
        });
    }

    public static AwsTestbed start(ServiceAccountTokenVerifier verifier, Path workDir) {
        Path motoServer = Tools.executable("moto.server");
        int port = freePort();
        try {
            Files.createDirectories(workDir);
            Process process = new ProcessBuilder(motoServer.toString(), "-H", "127.0.0.1", "-p", Integer.toString(port))
                    .redirectErrorStream(true)
                    .redirectOutput(workDir.resolve("moto.log").toFile())
                    .start();
            awaitPort(port, process, workDir.resolve("moto.log"));
            return new AwsTestbed(process, URI.create("http://127.0.0.1:" + port), verifier);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Trust policy: {@code roleArn} may be assumed by the ServiceAccount {@code system:serviceaccount:<ns>:<name>}. */
    public AwsTestbed trust(String roleArn, String namespace, String serviceAccount) {
        trust.put(roleArn, "system:serviceaccount:" + namespace + ":" + serviceAccount);
        return this;
    }

    /** The STS endpoint to give the SDK (the gate). */
    public URI stsEndpoint() {
        return URI.create(gate.url());
    }

    /** The ECR endpoint to give the SDK (moto itself). */
    public URI ecrEndpoint() {
        return motoUrl;
    }

    /** Role credentials as STS issues them. */
    public record SessionCredentials(
            String accessKeyId, String secretAccessKey, String sessionToken, String expiration) {}

    /** STS AssumeRole at moto (which does not check the caller): role credentials for a stand-in such as Pod Identity's agent. */
    public SessionCredentials assumeRole(String roleArn) throws IOException {
        String body = "Action=AssumeRole&Version=2011-06-15&RoleSessionName=pod-identity&DurationSeconds=3600&RoleArn="
                + java.net.URLEncoder.encode(roleArn, StandardCharsets.UTF_8);
        try {
            HttpResponse<String> answer = http.send(
                    HttpRequest.newBuilder(motoUrl.resolve("/"))
                            .header("Content-Type", "application/x-www-form-urlencoded")
                            // moto picks the service from the SigV4 scope (it checks no signature)
                            .header(
                                    "Authorization",
                                    "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/sts/aws4_request,"
                                            + " SignedHeaders=host, Signature=0")
                            .POST(HttpRequest.BodyPublishers.ofString(body))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (answer.statusCode() != 200) {
                throw new IOException("moto AssumeRole: HTTP " + answer.statusCode() + " " + answer.body());
            }
            return new SessionCredentials(
                    element(answer.body(), "AccessKeyId"),
                    element(answer.body(), "SecretAccessKey"),
                    element(answer.body(), "SessionToken"),
                    element(answer.body(), "Expiration"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    private static String element(String xml, String name) throws IOException {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("<" + name + ">([^<]*)</" + name + ">")
                .matcher(xml);
        if (!m.find()) {
            throw new IOException("moto answered without " + name);
        }
        return m.group(1);
    }

    /** The registry password moto's ECR issues to roles of {@code account}. */
    public static String ecrPassword(String account) {
        return account + "-auth-token";
    }

    public List<Assumption> assumptions() {
        return List.copyOf(assumptions);
    }

    /** Every web identity token the gate received (for the leak checks). */
    public List<String> tokensSeen() {
        return List.copyOf(tokensSeen);
    }

    private void forward(com.sun.net.httpserver.HttpExchange exchange, String body, String contentType)
            throws IOException {
        try {
            HttpResponse<byte[]> answer = http.send(
                    HttpRequest.newBuilder(motoUrl.resolve("/"))
                            .header(
                                    "Content-Type",
                                    contentType == null ? "application/x-www-form-urlencoded" : contentType)
                            .POST(HttpRequest.BodyPublishers.ofString(body))
                            .build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            Map<String, String> headers = new HashMap<>();
            answer.headers().firstValue("Content-Type").ifPresent(v -> headers.put("Content-Type", v));
            ScriptedHttpServer.respond(exchange, answer.statusCode(), headers, answer.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    private static void error(com.sun.net.httpserver.HttpExchange exchange, int status, String code, String message)
            throws IOException {
        String xml = "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type>"
                + "<Code>" + code + "</Code><Message>"
                + message.replace("<", "&lt;").replace("&", "&amp;")
                + "</Message></Error><RequestId>helmoci-testbed</RequestId></ErrorResponse>";
        ScriptedHttpServer.respond(exchange, status, Map.of("Content-Type", "text/xml"), xml);
    }

    static Map<String, String> form(String body) {
        Map<String, String> form = new HashMap<>();
        if (body == null || body.isEmpty()) {
            return form;
        }
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            form.putIfAbsent(key, value);
        }
        return form;
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void awaitPort(int port, Process process, Path log) throws IOException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("moto_server exited: " + Files.readString(log));
            }
            try (Socket ignored = new Socket(InetAddress.getLoopbackAddress(), port)) {
                return;
            } catch (IOException notYet) {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException(e);
                }
            }
        }
        process.destroyForcibly();
        throw new IllegalStateException("moto_server did not listen on 127.0.0.1:" + port + " within 60s");
    }

    @Override
    public void close() {
        gate.close();
        moto.destroy();
        try {
            if (!moto.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                moto.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
