package io.helmoci.engine.registry;

import static io.helmoci.engine.registry.TransportFixtures.JSON;
import static io.helmoci.engine.registry.TransportFixtures.failure;
import static io.helmoci.engine.registry.TransportFixtures.plain;
import static io.helmoci.engine.registry.TransportFixtures.ref;
import static io.helmoci.testbed.ScriptedHttpServer.respond;
import static org.assertj.core.api.Assertions.assertThat;

import io.helmoci.engine.EngineException;
import io.helmoci.engine.Reason;
import io.helmoci.testbed.MutableClock;
import io.helmoci.testbed.ScriptedHttpServer;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * The challenge/token state machine against a scripted registry + token endpoint: who gets which
 * Authorization, how often tokens are fetched, renewal and the errors. The same flows run against
 * real distribution registries and token servers in the integration tests.
 */
class RegistryAuthFlowTest {
    private static final String TAGS = "{\"name\":\"charts/app\",\"tags\":[\"1.0.0\"]}";

    private final MutableClock clock = new MutableClock();

    @AutoClose
    private final RegistryTransport transport = new RegistryTransport(clock);

    private final Set<String> validTokens = ConcurrentHashMap.newKeySet();
    private final AtomicInteger issued = new AtomicInteger();
    private volatile int tokenStatus = 200;
    private volatile int postStatus = 0; // 0 = serve POST like GET
    private volatile boolean insufficientScope;

    @AutoClose
    private ScriptedHttpServer server;

    /** A registry that wants "Bearer <valid token>", and its token endpoint at /token. */
    private ScriptedHttpServer bearerRegistry() {
        server = ScriptedHttpServer.start((ex, req) -> {
            if (req.path().equals("/token")) {
                if (req.method().equals("POST") && postStatus != 0) {
                    respond(ex, postStatus, Map.of(), "");
                    return;
                }
                if (tokenStatus != 200) {
                    respond(
                            ex,
                            tokenStatus,
                            JSON,
                            "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"bad credentials\"}]}");
                    return;
                }
                String token = "tok-" + issued.incrementAndGet();
                validTokens.add(token);
                String field = req.method().equals("POST") ? "access_token" : "token";
                respond(
                        ex,
                        200,
                        JSON,
                        "{\"" + field + "\":\"" + token + "\",\"expires_in\":300,\"issued_at\":\"" + clock.instant()
                                + "\"}");
                return;
            }
            String auth = req.header("Authorization");
            if (auth != null
                    && auth.startsWith("Bearer ")
                    && validTokens.contains(auth.substring(7))
                    && !insufficientScope) {
                respond(ex, 200, JSON, TAGS);
                return;
            }
            String error = insufficientScope && auth != null ? ",error=\"insufficient_scope\"" : "";
            respond(
                    ex,
                    401,
                    Map.of(
                            "WWW-Authenticate",
                            "Bearer realm=\"" + server.url() + "/token\",service=\"scripted\","
                                    + "scope=\"repository:charts/app:pull\"" + error),
                    "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"authentication required\"}]}");
        });
        return server;
    }

    private long requestsFor(Runnable operation) {
        int before = server.requests().size();
        operation.run();
        return server.requests().size() - before;
    }

    @Test
    void anonymousTokenIsFetchedOnceAndReused() {
        bearerRegistry();

        assertThat(requestsFor(
                        () -> transport.open(plain(Credentials.anonymous())).listTags(ref(server))))
                .isEqualTo(3);
        assertThat(requestsFor(
                        () -> transport.open(plain(Credentials.anonymous())).listTags(ref(server))))
                .isEqualTo(1);

        ScriptedHttpServer.Received tokenRequest = server.requests().get(1);
        assertThat(tokenRequest.method()).isEqualTo("GET");
        assertThat(tokenRequest.header("Authorization")).isNull();
        assertThat(query(tokenRequest.query()))
                .containsEntry("service", "scripted")
                .containsEntry("scope", "repository:charts/app:pull");
        assertThat(server.requests().get(2).header("Authorization")).isEqualTo("Bearer tok-1");
        assertThat(issued.get()).isEqualTo(1);
    }

    @Test
    void aRejectedCachedTokenIsRenewedOnce() {
        bearerRegistry();
        transport.open(plain(Credentials.anonymous())).listTags(ref(server));
        validTokens.clear(); // the registry revokes every token

        assertThat(requestsFor(
                        () -> transport.open(plain(Credentials.anonymous())).listTags(ref(server))))
                .isEqualTo(3);
        assertThat(issued.get()).isEqualTo(2);
        assertThat(server.requests().get(server.requests().size() - 1).header("Authorization"))
                .isEqualTo("Bearer tok-2");
    }

    @Test
    void anExpiredTokenIsReplacedBeforeItIsSent() {
        bearerRegistry();
        transport.open(plain(Credentials.anonymous())).listTags(ref(server));
        clock.advance(Duration.ofSeconds(289));
        assertThat(requestsFor(
                        () -> transport.open(plain(Credentials.anonymous())).listTags(ref(server))))
                .isEqualTo(1);
        clock.advance(Duration.ofSeconds(2)); // 300 s lifetime minus a 10 s margin is over

        // the realm is known from the first challenge: the new token is fetched up front, no 401
        assertThat(requestsFor(
                        () -> transport.open(plain(Credentials.anonymous())).listTags(ref(server))))
                .isEqualTo(2);
        assertThat(server.requests().get(server.requests().size() - 2).path()).isEqualTo("/token");
        assertThat(server.requests().get(server.requests().size() - 1).header("Authorization"))
                .isEqualTo("Bearer tok-2");
        assertThat(issued.get()).isEqualTo(2);
    }

    @Test
    void aTokenServerThatTricklesIsATimeoutNotAnUnavailableRegistry() {
        server = ScriptedHttpServer.start((ex, req) -> {
            if (req.path().equals("/token")) {
                ex.getResponseHeaders().add("Content-Type", "application/json");
                ex.sendResponseHeaders(200, 0);
                try {
                    for (char c : "{\"token\":\"slow                                        \"}".toCharArray()) {
                        ex.getResponseBody().write(c);
                        ex.getResponseBody().flush();
                        Thread.sleep(200);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            } else {
                respond(
                        ex,
                        401,
                        Map.of("WWW-Authenticate", "Bearer realm=\"" + server.url() + "/token\",service=\"s\""),
                        "");
            }
        });
        TransportOptions options = TransportFixtures.PLAIN.toBuilder()
                .timeouts(Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(2))
                .build();

        EngineException e = failure(
                Reason.Timeout,
                () -> transport
                        .open(new RegistryOptions(Credentials.anonymous(), options))
                        .listTags(ref(server)));
        assertThat(e.getMessage()).doesNotContain("not a JSON token response");
    }

    @Test
    void aTokenTheRegistryKeepsRejectingIsUnauthorizedAfterOneRenewal() {
        bearerRegistry();
        server.close();
        server = ScriptedHttpServer.start((ex, req) -> {
            if (req.path().equals("/token")) {
                respond(ex, 200, JSON, "{\"token\":\"never-good-" + issued.incrementAndGet() + "\"}");
            } else {
                respond(
                        ex,
                        401,
                        Map.of("WWW-Authenticate", "Bearer realm=\"" + server.url() + "/token\",service=\"s\""),
                        "");
            }
        });

        EngineException e = failure(
                Reason.Unauthorized,
                () -> transport.open(plain(Credentials.anonymous())).listTags(ref(server)));

        assertThat(server.requests()).hasSize(3);
        assertThat(e.getMessage())
                .contains("no credentials were sent", server.hostPort())
                .doesNotContain("never-good");
    }

    @Test
    void basicCredentialsGoToTheTokenServerOnlyAndTokensAreKeptPerCredential() {
        bearerRegistry();
        Credentials alice = Credentials.basic("alice", "alice-password");

        transport.open(plain(alice)).listTags(ref(server));
        ScriptedHttpServer.Received tokenRequest = server.requests().get(1);
        assertThat(tokenRequest.header("Authorization"))
                .isEqualTo("Basic "
                        + Base64.getEncoder().encodeToString("alice:alice-password".getBytes(StandardCharsets.UTF_8)));
        assertThat(server.requests().get(0).header("Authorization")).isNull();
        assertThat(server.requests().get(2).header("Authorization")).startsWith("Bearer ");

        // another credential never gets alice's token: it gets its own, up front (token + request)
        assertThat(requestsFor(() -> transport
                        .open(plain(Credentials.basic("bob", "bob-password")))
                        .listTags(ref(server))))
                .isEqualTo(2);
        assertThat(server.requests().get(3).header("Authorization"))
                .isEqualTo("Basic "
                        + Base64.getEncoder().encodeToString("bob:bob-password".getBytes(StandardCharsets.UTF_8)));
        assertThat(server.requests().get(4).header("Authorization")).isEqualTo("Bearer tok-2");
        assertThat(requestsFor(() -> transport.open(plain(alice)).listTags(ref(server))))
                .isEqualTo(1);
    }

    @Test
    void tokenServerRejectingCredentialsIsUnauthorizedWithoutTheSecret() {
        bearerRegistry();
        tokenStatus = 401;

        EngineException e = failure(
                Reason.Unauthorized,
                () -> transport
                        .open(plain(Credentials.basic("alice", "wrong-password")))
                        .listTags(ref(server)));

        assertThat(e.getMessage())
                .contains("username/password credentials were sent")
                .doesNotContain("wrong-password")
                .doesNotContain(
                        Base64.getEncoder().encodeToString("alice:wrong-password".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void insufficientScopeWithCredentialsIsForbidden() {
        bearerRegistry();
        insufficientScope = true;

        EngineException e = failure(
                Reason.Forbidden,
                () -> transport.open(plain(Credentials.basic("alice", "pw"))).listTags(ref(server)));

        assertThat(e.getMessage()).contains("insufficient_scope", "charts/app");
    }

    @Test
    void identityTokenUsesTheOAuth2RefreshGrant() {
        bearerRegistry();

        transport
                .open(plain(Credentials.identityToken("alice", "refresh-secret")))
                .listTags(ref(server));

        ScriptedHttpServer.Received tokenRequest = server.requests().get(1);
        assertThat(tokenRequest.method()).isEqualTo("POST");
        assertThat(tokenRequest.header("Authorization")).isNull();
        assertThat(query(tokenRequest.bodyText()))
                .containsEntry("grant_type", "refresh_token")
                .containsEntry("refresh_token", "refresh-secret")
                .containsEntry("client_id", "helm-oci-operator")
                .containsEntry("service", "scripted")
                .containsEntry("scope", "repository:charts/app:pull");
        assertThat(server.requests().get(2).header("Authorization")).isEqualTo("Bearer tok-1");
    }

    @Test
    void identityTokenFallsBackToGetWhenPostIsNotServed() {
        bearerRegistry();
        postStatus = 405;

        transport
                .open(plain(Credentials.identityToken("alice", "refresh-secret")))
                .listTags(ref(server));

        assertThat(server.requests())
                .extracting(ScriptedHttpServer.Received::method)
                .containsExactly("GET", "POST", "GET", "GET");
        assertThat(server.requests().get(2).header("Authorization"))
                .isEqualTo("Basic "
                        + Base64.getEncoder().encodeToString("alice:refresh-secret".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void basicChallengeIsAnsweredThenSentUpFront() {
        String expected = "Basic " + Base64.getEncoder().encodeToString("u:p".getBytes(StandardCharsets.UTF_8));
        server = ScriptedHttpServer.start((ex, req) -> {
            if (expected.equals(req.header("Authorization"))) {
                respond(ex, 200, JSON, TAGS);
            } else {
                respond(ex, 401, Map.of("WWW-Authenticate", "Basic realm=\"Registry Realm\""), "");
            }
        });

        assertThat(requestsFor(
                        () -> transport.open(plain(Credentials.basic("u", "p"))).listTags(ref(server))))
                .isEqualTo(2);
        assertThat(requestsFor(
                        () -> transport.open(plain(Credentials.basic("u", "p"))).listTags(ref(server))))
                .isEqualTo(1);
        EngineException wrong = failure(
                Reason.Unauthorized,
                () -> transport.open(plain(Credentials.basic("u", "nope"))).listTags(ref(server)));
        assertThat(wrong.getMessage())
                .contains("username/password credentials were sent")
                .doesNotContain("nope");
        EngineException anonymous = failure(
                Reason.Unauthorized,
                () -> transport.open(plain(Credentials.anonymous())).listTags(ref(server)));
        assertThat(anonymous.getMessage()).contains("no credentials were sent", "Give a username/password");
    }

    @Test
    void registryTokenIsSentAsIsAndNeverRenewed() {
        bearerRegistry();

        EngineException e = failure(
                Reason.Unauthorized,
                () -> transport
                        .open(plain(Credentials.registryToken("static-bearer")))
                        .listTags(ref(server)));

        assertThat(server.requests())
                .singleElement()
                .satisfies(r -> assertThat(r.header("Authorization")).isEqualTo("Bearer static-bearer"));
        assertThat(e.getMessage()).contains("registry bearer token was sent").doesNotContain("static-bearer");
    }

    private static Map<String, String> query(String text) {
        return Arrays.stream(text.split("&"))
                .map(p -> p.split("=", 2))
                .collect(Collectors.toMap(p -> decode(p[0]), p -> p.length > 1 ? decode(p[1]) : ""));
    }

    private static String decode(String text) {
        return URLDecoder.decode(text, StandardCharsets.UTF_8);
    }
}
