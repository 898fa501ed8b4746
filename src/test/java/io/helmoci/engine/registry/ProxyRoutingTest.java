package io.helmoci.engine.registry;

import static io.helmoci.engine.registry.TransportFixtures.JSON;
import static io.helmoci.engine.registry.TransportFixtures.failure;
import static io.helmoci.testbed.ScriptedHttpServer.respond;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.helmoci.engine.EngineException;
import io.helmoci.engine.Reason;
import io.helmoci.engine.reference.OciReference;
import io.helmoci.testbed.ScriptedHttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Which headers go where: the proxy's credentials only to the proxy (on the CONNECT, and on plain-HTTP
 * requests it forwards), never to a registry reached directly or through a tunnel; the registry's
 * Authorization never on the CONNECT. Loopback stand-ins record the raw requests.
 */
class ProxyRoutingTest {
    private static final String PROXY_BASIC =
            "Basic " + java.util.Base64.getEncoder().encodeToString("pu:pp-1e5b".getBytes(StandardCharsets.UTF_8));

    private final RegistryTransport transport = new RegistryTransport();
    private ScriptedHttpServer server;
    private RawProxy rawProxy;

    @AfterEach
    void close() throws IOException {
        transport.close();
        if (server != null) {
            server.close();
        }
        if (rawProxy != null) {
            rawProxy.close();
        }
    }

    private static TransportOptions.Builder options() {
        return TransportOptions.builder().retry(RetryPolicy.none());
    }

    @Test
    void theConnectCarriesTheProxyCredentialsAndNotTheRegistrys() throws Exception {
        rawProxy = new RawProxy("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n");
        TransportOptions viaProxy = options()
                .proxy("http://pu:pp-1e5b@127.0.0.1:" + rawProxy.port())
                .build();
        OciReference ref = new OciReference("registry.example:5000", "charts/app", "1.0.0", null);

        EngineException e = failure(
                Reason.ProxyUnavailable,
                () -> transport
                        .open(new RegistryOptions(Credentials.basic("robot", "registry-pw"), viaProxy))
                        .listTags(ref));

        assertThat(rawProxy.heads).isNotEmpty().allSatisfy(head -> {
            assertThat(head).startsWith("CONNECT registry.example:5000 HTTP/1.1");
            assertThat(head).containsIgnoringCase("Proxy-Authorization: " + PROXY_BASIC);
            assertThat(head.toLowerCase()).doesNotContain("\nauthorization:");
        });
        assertThat(e.getMessage()).doesNotContain("pp-1e5b", "registry-pw");
    }

    @Test
    void aDirectlyReachedRegistryNeverSeesTheProxyCredentials() {
        server = ScriptedHttpServer.start(
                (ex, req) -> respond(ex, 200, JSON, "{\"name\":\"charts/app\",\"tags\":[\"1.0.0\"]}"));
        ProxyRules rules = ProxyRules.fromEnvironment(
                Map.of("HTTP_PROXY", "http://pu:pp-1e5b@127.0.0.1:1", "NO_PROXY", "127.0.0.0/8"));
        TransportOptions direct = options().plainHttp(true).proxy(rules).build();

        assertThat(transport
                        .open(new RegistryOptions(Credentials.anonymous(), direct))
                        .listTags(TransportFixtures.ref(server)))
                .containsExactly("1.0.0");
        assertThat(server.requests())
                .isNotEmpty()
                .allSatisfy(r -> assertThat(r.header("Proxy-Authorization")).isNull());
    }

    @Test
    void a407ToAPlainHttpRequestIsProxyAuthenticationFailedWithoutARetryOfTheSameCredentials() {
        server = ScriptedHttpServer.start(
                (ex, req) -> respond(ex, 407, Map.of("Proxy-Authenticate", "Basic realm=\"corp\""), ""));
        TransportOptions viaProxy = options()
                .plainHttp(true)
                .proxy("http://pu:pp-1e5b@" + server.hostPort())
                .build();
        OciReference ref = new OciReference("registry.example:5000", "charts/app", "1.0.0", null);

        EngineException e = failure(
                Reason.ProxyAuthenticationFailed,
                () -> transport
                        .open(new RegistryOptions(Credentials.anonymous(), viaProxy))
                        .listTags(ref));

        assertThat(server.requests()).hasSize(1);
        assertThat(server.requests().get(0).header("Proxy-Authorization")).isEqualTo(PROXY_BASIC);
        assertThat(e.getMessage())
                .contains(server.hostPort(), "407", "username", "password")
                .doesNotContain("pp-1e5b");
    }

    @Test
    void tinyproxysOwn401IsTheProxysRefusalAndAnyOther401TheRegistrys() {
        OciReference ref = new OciReference("registry.example:5000", "charts/app", "1.0.0", null);
        for (String challenge : new String[] {"Basic realm=\"Tinyproxy\"", "Basic realm=\"registry\""}) {
            server = ScriptedHttpServer.start((ex, req) -> respond(ex, 401, Map.of("WWW-Authenticate", challenge), ""));
            TransportOptions viaProxy = options()
                    .plainHttp(true)
                    .proxy("http://pu:pp-1e5b@" + server.hostPort())
                    .build();

            EngineException e = catchThrowableOfType(
                    EngineException.class,
                    () -> transport
                            .open(new RegistryOptions(Credentials.anonymous(), viaProxy))
                            .listTags(ref));

            assertThat(e.reason())
                    .as(challenge)
                    .isEqualTo(
                            challenge.contains("Tinyproxy") ? Reason.ProxyAuthenticationFailed : Reason.Unauthorized);
            assertThat(e.getMessage()).doesNotContain("pp-1e5b");
            server.close();
            server = null;
        }
    }

    /** Records each request head it receives and answers it with one canned response. */
    private static final class RawProxy implements AutoCloseable {
        final List<String> heads = new CopyOnWriteArrayList<>();
        private final ServerSocket socket;

        RawProxy(String response) throws IOException {
            socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread accepter = new Thread(() -> {
                while (!socket.isClosed()) {
                    try (Socket client = socket.accept()) {
                        heads.add(readHead(client.getInputStream()));
                        OutputStream out = client.getOutputStream();
                        out.write(response.getBytes(StandardCharsets.ISO_8859_1));
                        out.flush();
                    } catch (IOException closed) {
                        return;
                    }
                }
            });
            accepter.setDaemon(true);
            accepter.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        private static String readHead(InputStream in) throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) >= 0) {
                head.write(b);
                String text = head.toString(StandardCharsets.ISO_8859_1);
                if (text.endsWith("\r\n\r\n")) {
                    return text;
                }
            }
            return head.toString(StandardCharsets.ISO_8859_1);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
