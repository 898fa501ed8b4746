package io.helmoci.engine.registry;

import static io.helmoci.engine.registry.TransportFixtures.JSON;
import static io.helmoci.engine.registry.TransportFixtures.failure;
import static io.helmoci.engine.registry.TransportFixtures.plain;
import static io.helmoci.engine.registry.TransportFixtures.ref;
import static io.helmoci.testbed.ScriptedHttpServer.respond;
import static org.assertj.core.api.Assertions.assertThat;

import io.helmoci.engine.EngineException;
import io.helmoci.engine.Reason;
import io.helmoci.engine.reference.OciReference;
import io.helmoci.testbed.ScriptedHttpServer;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.HttpUrl;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Retries, Retry-After, timeouts, connection failures and the redirect policy, against a loopback JDK HTTP server. */
class TransportRetryAndRedirectTest {
    private static final String TAGS = "{\"name\":\"charts/app\",\"tags\":[\"1.0.0\",\"1.1.0\"]}";
    private final RegistryTransport transport = new RegistryTransport();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
        transport.close();
    }

    private ScriptedHttpServer server(ScriptedHttpServer.Handler handler) {
        ScriptedHttpServer server = ScriptedHttpServer.start(handler);
        toClose.add(server);
        return server;
    }

    @Test
    void retriesServerErrorsThenSucceeds() {
        AtomicInteger calls = new AtomicInteger();
        ScriptedHttpServer server = server((ex, req) -> {
            if (calls.incrementAndGet() <= 2) {
                respond(ex, 503, JSON, "{\"errors\":[{\"code\":\"UNAVAILABLE\",\"message\":\"busy\"}]}");
            } else {
                respond(ex, 200, JSON, TAGS);
            }
        });

        List<String> tags = transport.open(plain(Credentials.anonymous())).listTags(ref(server));

        assertThat(tags).containsExactly("1.0.0", "1.1.0");
        assertThat(server.requests()).hasSize(3);
    }

    @Test
    void serverErrorsAfterRetriesAreRegistryUnavailable() {
        ScriptedHttpServer server = server((ex, req) ->
                respond(ex, 500, JSON, "{\"errors\":[{\"code\":\"UNKNOWN\",\"message\":\"disk on fire\"}]}"));

        EngineException e = failure(
                Reason.RegistryUnavailable,
                () -> transport.open(plain(Credentials.anonymous())).listTags(ref(server)));

        assertThat(e.getMessage()).contains("HTTP 500", "disk on fire");
        assertThat(server.requests()).hasSize(1 + TransportFixtures.FAST_RETRY.maxRetries());
    }

    @Test
    void notImplementedIsNotRetried() {
        ScriptedHttpServer server = server((ex, req) -> respond(ex, 501, Map.of(), ""));

        failure(
                Reason.RegistryUnavailable,
                () -> transport.open(plain(Credentials.anonymous())).listTags(ref(server)));

        assertThat(server.requests()).hasSize(1);
    }

    @Test
    void honoursRetryAfterSeconds() {
        AtomicInteger calls = new AtomicInteger();
        ScriptedHttpServer server = server((ex, req) -> {
            if (calls.incrementAndGet() == 1) {
                respond(ex, 429, Map.of("Retry-After", "1"), "");
            } else {
                respond(ex, 200, JSON, TAGS);
            }
        });

        long start = System.nanoTime();
        assertThat(transport.open(plain(Credentials.anonymous())).listTags(ref(server)))
                .hasSize(2);

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(950));
        assertThat(server.requests()).hasSize(2);
    }

    @Test
    void persistentThrottlingIsRateLimited() {
        ScriptedHttpServer server = server((ex, req) ->
                respond(ex, 429, JSON, "{\"errors\":[{\"code\":\"TOOMANYREQUESTS\",\"message\":\"slow down\"}]}"));

        EngineException e = failure(
                Reason.RateLimited,
                () -> transport.open(plain(Credentials.anonymous())).listTags(ref(server)));

        assertThat(e.getMessage()).contains("TOOMANYREQUESTS");
        assertThat(server.requests()).hasSize(1 + TransportFixtures.FAST_RETRY.maxRetries());
    }

    @Test
    void aRetryAfterBeyondTheCapEndsRetriesAtOnce() {
        ScriptedHttpServer server = server((ex, req) -> respond(ex, 429, Map.of("Retry-After", "3600"), ""));

        failure(
                Reason.RateLimited,
                () -> transport.open(plain(Credentials.anonymous())).listTags(ref(server)));

        assertThat(server.requests()).hasSize(1);
    }

    @Test
    void connectionRefusedIsRegistryUnavailable() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        OciReference ref = new OciReference("127.0.0.1:" + port, "charts/app", "1.0.0", null);

        EngineException e = failure(
                Reason.RegistryUnavailable,
                () -> transport.open(plain(Credentials.anonymous())).listTags(ref));

        assertThat(e.getMessage()).contains("Cannot connect", "127.0.0.1:" + port);
    }

    @Test
    void unknownHostIsRegistryUnavailable() {
        OciReference ref = new OciReference("no-such-host.invalid", "charts/app", "1.0.0", null);

        EngineException e = failure(
                Reason.RegistryUnavailable,
                () -> transport.open(plain(Credentials.anonymous())).listTags(ref));

        assertThat(e.getMessage()).contains("cannot be resolved");
    }

    @Test
    void aServerThatNeverAnswersTimesOut() throws Exception {
        List<Socket> accepted = new ArrayList<>();
        ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        toClose.add(silent);
        Thread acceptor = new Thread(() -> {
            try {
                while (true) {
                    accepted.add(silent.accept()); // accept, read nothing, answer nothing
                }
            } catch (Exception closed) {
                // test over
            }
        });
        acceptor.setDaemon(true);
        acceptor.start();
        OciReference ref = new OciReference("127.0.0.1:" + silent.getLocalPort(), "charts/app", "1.0.0", null);
        TransportOptions options = TransportFixtures.PLAIN.toBuilder()
                .timeouts(Duration.ofSeconds(1), Duration.ofMillis(300), Duration.ofSeconds(2))
                .build();

        long start = System.nanoTime();
        EngineException e = failure(
                Reason.Timeout,
                () -> transport
                        .open(new RegistryOptions(Credentials.anonymous(), options))
                        .listTags(ref));

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
        assertThat(e.getMessage()).contains("127.0.0.1:" + silent.getLocalPort());
        assertThat(accepted).hasSizeGreaterThan(1); // read timeouts are retried
    }

    @Test
    void theOperationDeadlineCoversSlowBodies() throws Exception {
        ScriptedHttpServer server = server((ex, req) -> {
            ex.sendResponseHeaders(200, 10_000);
            for (int i = 0; i < 100; i++) {
                ex.getResponseBody().write(new byte[10]);
                ex.getResponseBody().flush();
                sleep(100);
            }
        });
        TransportOptions options = TransportFixtures.PLAIN.toBuilder()
                .timeouts(Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofMillis(800))
                .build();
        Descriptor blob = new Descriptor("application/octet-stream", "sha256:" + "a".repeat(64), 10_000);

        long start = System.nanoTime();
        failure(Reason.Timeout, () -> {
            try (InputStream in = transport
                    .open(new RegistryOptions(Credentials.anonymous(), options))
                    .openBlob(ref(server), blob)) {
                in.readAllBytes();
            }
        });
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
    }

    @Test
    void crossOriginRedirectDropsAuthorization() throws Exception {
        byte[] content = "blob content".getBytes(StandardCharsets.UTF_8);
        ScriptedHttpServer storage = server((ex, req) -> respond(ex, 200, Map.of(), content));
        ScriptedHttpServer registry = server(
                (ex, req) -> respond(ex, 307, Map.of("Location", storage.url() + "/bucket/blob?X-Signature=abc"), ""));
        Descriptor blob = new Descriptor(
                "application/octet-stream", Digest.sha256(content).toString(), content.length);

        try (InputStream in = transport
                .open(plain(Credentials.registryToken("registry-secret")))
                .openBlob(ref(registry), blob)) {
            assertThat(in.readAllBytes()).isEqualTo(content);
        }

        assertThat(registry.requests())
                .singleElement()
                .satisfies(r -> assertThat(r.header("Authorization")).isEqualTo("Bearer registry-secret"));
        assertThat(storage.requests()).singleElement().satisfies(r -> {
            assertThat(r.header("Authorization")).isNull();
            assertThat(r.query()).isEqualTo("X-Signature=abc");
        });
    }

    @Test
    void sameOriginRedirectKeepsAuthorizationAndRelativeLocationsResolve() throws Exception {
        byte[] content = "same host".getBytes(StandardCharsets.UTF_8);
        ScriptedHttpServer registry = server((ex, req) -> {
            if (req.path().startsWith("/v2/")) {
                respond(ex, 302, Map.of("Location", "/storage/blob"), "");
            } else {
                respond(ex, 200, Map.of(), content);
            }
        });
        Descriptor blob = new Descriptor(
                "application/octet-stream", Digest.sha256(content).toString(), content.length);

        try (InputStream in =
                transport.open(plain(Credentials.registryToken("t"))).openBlob(ref(registry), blob)) {
            assertThat(in.readAllBytes()).isEqualTo(content);
        }

        assertThat(registry.requests())
                .extracting(ScriptedHttpServer.Received::path)
                .containsExactly("/v2/charts/app/blobs/" + blob.digest(), "/storage/blob");
        assertThat(registry.requests())
                .allSatisfy(r -> assertThat(r.header("Authorization")).isEqualTo("Bearer t"));
    }

    @Test
    void redirectHopsAreCapped() {
        ScriptedHttpServer registry = server((ex, req) -> respond(ex, 307, Map.of("Location", req.path()), ""));
        TransportOptions options =
                TransportFixtures.PLAIN.toBuilder().maxRedirects(3).build();
        Descriptor blob = new Descriptor("application/octet-stream", "sha256:" + "b".repeat(64), 1);

        EngineException e = failure(
                Reason.RegistryUnavailable,
                () -> transport
                        .open(new RegistryOptions(Credentials.anonymous(), options))
                        .openBlob(ref(registry), blob));

        assertThat(e.getMessage()).contains("redirected more than 3 times");
        assertThat(registry.requests()).hasSize(4);
    }

    @Test
    void everyExchangeIsReportedByServerAndStatusClassOrFailureWithoutPaths() throws Exception {
        List<String> seen = Collections.synchronizedList(new ArrayList<>());
        try (RegistryTransport observed =
                new RegistryTransport(Clock.systemUTC(), (server, result) -> seen.add(server + " " + result))) {
            AtomicInteger calls = new AtomicInteger();
            ScriptedHttpServer flaky = server((ex, req) -> {
                if (calls.incrementAndGet() == 1) {
                    respond(ex, 503, JSON, "{}");
                } else {
                    respond(ex, 200, JSON, TAGS);
                }
            });
            ScriptedHttpServer missing =
                    server((ex, req) -> respond(ex, 404, JSON, "{\"errors\":[{\"code\":\"NAME_UNKNOWN\"}]}"));
            int closedPort;
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                closedPort = socket.getLocalPort();
            }
            OciReference refused = new OciReference("127.0.0.1:" + closedPort, "charts/app", "1.0.0", null);

            observed.open(plain(Credentials.anonymous())).listTags(ref(flaky));
            failure(
                    Reason.RepositoryNotFound,
                    () -> observed.open(plain(Credentials.anonymous())).listTags(ref(missing)));
            failure(
                    Reason.RegistryUnavailable,
                    () -> observed.open(plain(Credentials.anonymous())).listTags(refused));

            assertThat(seen.subList(0, 3))
                    .containsExactly(flaky.hostPort() + " 5xx", flaky.hostPort() + " 2xx", missing.hostPort() + " 4xx");
            assertThat(seen.subList(3, seen.size()))
                    .as("each retry of a refused connection counts")
                    .hasSize(1 + TransportFixtures.FAST_RETRY.maxRetries())
                    .containsOnly("127.0.0.1:" + closedPort + " " + ExchangeObserver.CONNECTION_ERROR);
        }
        assertThat(RegistryHttp.server(HttpUrl.get("https://ghcr.io/v2/a/b/tags/list")))
                .isEqualTo("ghcr.io");
        assertThat(RegistryHttp.server(HttpUrl.get("http://localhost:80/v2/"))).isEqualTo("localhost");
        assertThat(RegistryHttp.server(HttpUrl.get("https://registry.example:5000/v2/")))
                .isEqualTo("registry.example:5000");
    }

    @Test
    void connectionsAreReusedAcrossOperations() {
        ScriptedHttpServer server = server((ex, req) -> respond(ex, 200, JSON, TAGS));
        for (int i = 0; i < 5; i++) {
            transport.open(plain(Credentials.anonymous())).listTags(ref(server));
        }
        assertThat(server.requests()).hasSize(5);
        assertThat(transport.requestCount()).isEqualTo(5);
        // one client per transport setting, whatever the number of operations
        HttpClientFactory factory = new HttpClientFactory();
        assertThat(factory.clientFor(TransportFixtures.PLAIN))
                .isSameAs(factory.clientFor(TransportFixtures.PLAIN.toBuilder()
                        .retry(RetryPolicy.none())
                        .build()));
        assertThat(factory.clientFor(TransportFixtures.PLAIN))
                .isNotSameAs(factory.clientFor(TransportFixtures.PLAIN.toBuilder()
                        .insecureSkipTlsVerify(true)
                        .build()));
        factory.close();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
