package io.helmoci.engine;

import static io.helmoci.engine.PullerTestbed.failure;
import static io.helmoci.engine.PullerTestbed.transport;
import static org.assertj.core.api.Assertions.assertThat;

import io.helmoci.engine.reference.OciReference;
import io.helmoci.engine.registry.Credentials;
import io.helmoci.engine.registry.ProxyEndpoint;
import io.helmoci.engine.registry.ProxyRules;
import io.helmoci.engine.registry.RegistryOptions;
import io.helmoci.engine.registry.RetryPolicy;
import io.helmoci.engine.registry.TransportOptions;
import io.helmoci.testbed.ChartFactory;
import io.helmoci.testbed.ChartSpec;
import io.helmoci.testbed.HelmCli;
import io.helmoci.testbed.HttpProxy;
import io.helmoci.testbed.HttpProxy.ProxiedRequest;
import io.helmoci.testbed.RegistryFixture;
import io.helmoci.testbed.RegistryImplementation;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine through a real HTTP proxy (Debian's tinyproxy, with and without basic auth) to real
 * registries with token auth, plain HTTP (the proxy sees and logs every request) and TLS (CONNECT
 * tunnels): every registry and token request goes through it, NO_PROXY hosts do not, and a wrong
 * proxy password or an unreachable proxy has its own reason with no secret in the message.
 */
class ChartPullerProxyIT {
    private static final String USER = "alice";
    private static final String PASSWORD = "registry-pass-8d1f";
    private static final String PROXY_USER = "proxyuser";
    private static final String PROXY_PASSWORD = "proxy-pass-5c2e";
    private static final ChartSpec SPEC = ChartSpec.of("webapp", "1.2.3");

    @TempDir
    static Path work;

    static RegistryFixture plain;
    static RegistryFixture tls;
    static HttpProxy openProxy;
    static HttpProxy authProxy;

    @BeforeAll
    static void start() {
        plain = RegistryFixture.builder(RegistryImplementation.DISTRIBUTION_V3)
                .tokenAuth()
                .plainHttp()
                .user(USER, PASSWORD)
                .start();
        tls = RegistryFixture.builder(RegistryImplementation.DEBIAN_DISTRIBUTION_2_8)
                .tokenAuth()
                .user(USER, PASSWORD)
                .start();
        HelmCli helm = new HelmCli(work.resolve("helm"));
        Path chart = new ChartFactory(helm, work).create(SPEC);
        for (RegistryFixture registry : List.of(plain, tls)) {
            helm.login(registry, USER, PASSWORD);
            helm.push(registry, chart, "charts");
        }
        openProxy = HttpProxy.start(work.resolve("proxy-open"));
        authProxy = HttpProxy.start(work.resolve("proxy-auth"), PROXY_USER, PROXY_PASSWORD);
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {openProxy, authProxy, plain, tls}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // best effort
            }
        }
    }

    @BeforeEach
    void resetCounts() {
        for (RegistryFixture registry : List.of(plain, tls)) {
            registry.resetRequests();
            registry.tokenServer().resetRequests();
        }
    }

    private static String tokenHost(RegistryFixture registry) {
        return registry.tokenServer().realm().getAuthority();
    }

    private static PullRequest pull(RegistryFixture registry, String host, ProxyRules proxy) {
        TransportOptions options = transport(registry).toBuilder().proxy(proxy).build();
        OciReference ref = OciReference.parse("oci://" + host + ":" + registry.port() + "/charts/webapp:" + SPEC.tag());
        return PullRequest.of(ref, new RegistryOptions(Credentials.basic(USER, PASSWORD), options));
    }

    private static ProxyRules through(HttpProxy proxy, String user, String password) {
        return ProxyRules.allThrough(ProxyEndpoint.parse(proxy.url(), "test").withCredentials(user, password));
    }

    @Test
    void everyRegistryAndTokenRequestGoesThroughTheAuthenticatingProxy(@TempDir Path dir) throws Throwable {
        int before = authProxy.requests().size();
        try (ChartPuller puller = new ChartPuller(dir)) {
            PullResult result = puller.pull(pull(plain, "127.0.0.1", through(authProxy, PROXY_USER, PROXY_PASSWORD)));
            assertThat(result.size()).isPositive();

            List<ProxiedRequest> proxied =
                    authProxy.requests().subList(before, authProxy.requests().size());
            // Plain HTTP: the proxy reads each request. Each one the engine sent is in its log exactly once:
            // credentials went up front, so there was no 407 round trip.
            assertThat(proxied).hasSize((int) puller.requestCount());
            assertThat(proxied.stream().filter(r -> r.to(plain.host())))
                    .hasSize(plain.requests().size())
                    .isNotEmpty();
            assertThat(proxied.stream().filter(r -> r.to(tokenHost(plain))))
                    .hasSize(plain.tokenServer().requestCount())
                    .isNotEmpty();
        } catch (Throwable t) {
            throw authProxy.withLogAttached(plain.withLogAttached(t));
        }
    }

    @Test
    void tlsRegistryAndTokenServiceAreReachedThroughConnectTunnels(@TempDir Path dir) throws Throwable {
        int before = authProxy.requests().size();
        try (ChartPuller puller = new ChartPuller(dir)) {
            puller.pull(pull(tls, "127.0.0.1", through(authProxy, PROXY_USER, PROXY_PASSWORD)));

            List<ProxiedRequest> proxied =
                    authProxy.requests().subList(before, authProxy.requests().size());
            assertThat(proxied)
                    .isNotEmpty()
                    .allSatisfy(r -> assertThat(r.method()).isEqualTo("CONNECT"));
            assertThat(proxied).anySatisfy(r -> assertThat(r.target()).isEqualTo(tls.host()));
            assertThat(proxied).anySatisfy(r -> assertThat(r.target()).isEqualTo(tokenHost(tls)));
            assertThat(proxied).allSatisfy(r -> assertThat(r.target()).isIn(tls.host(), tokenHost(tls)));
            assertThat(tls.requests()).isNotEmpty();
        } catch (Throwable t) {
            throw authProxy.withLogAttached(tls.withLogAttached(t));
        }
    }

    /** A token fetched through one proxy account is not reused by a caller going through another proxy. */
    @Test
    void tokensAreNotSharedAcrossProxies(@TempDir Path dir) throws Throwable {
        try (ChartPuller puller = new ChartPuller(dir)) {
            puller.inspect(pull(plain, "127.0.0.1", through(authProxy, PROXY_USER, PROXY_PASSWORD)));
            int tokens = plain.tokenServer().requestCount();
            int mark = openProxy.requests().size();
            puller.inspect(pull(plain, "127.0.0.1", through(openProxy, null, null)));

            assertThat(plain.tokenServer().requestCount()).isGreaterThan(tokens);
            assertThat(openProxy.requests().subList(mark, openProxy.requests().size()))
                    .anySatisfy(r -> assertThat(r.to(tokenHost(plain))).isTrue());

            // The same proxy again: the cached token serves, no new token request.
            int again = plain.tokenServer().requestCount();
            puller.inspect(pull(plain, "127.0.0.1", through(openProxy, null, null)));
            assertThat(plain.tokenServer().requestCount()).isEqualTo(again);
        } catch (Throwable t) {
            throw openProxy.withLogAttached(plain.withLogAttached(t));
        }
    }

    @Test
    void noProxyHostsAreReachedDirectly(@TempDir Path dir) throws Throwable {
        // The same registry under two names: 127.0.0.1 goes through the proxy, localhost (listed) does not.
        // The proxy forwards only to 127.x IP literals: a request for 'localhost' through it would fail.
        ProxyRules environment = ProxyRules.fromEnvironment(Map.of(
                "HTTP_PROXY", openProxy.url(), "https_proxy", openProxy.url(), "NO_PROXY", "example.com,localhost"));
        int before = openProxy.requests().size();
        try (ChartPuller puller = new ChartPuller(dir)) {
            puller.pull(pull(plain, "localhost", environment));

            List<ProxiedRequest> proxied =
                    openProxy.requests().subList(before, openProxy.requests().size());
            assertThat(plain.requests()).isNotEmpty();
            // The token realm is 127.0.0.1, not listed: only the token requests went through the proxy.
            assertThat(proxied)
                    .hasSize(plain.tokenServer().requestCount())
                    .allSatisfy(r -> assertThat(r.to(tokenHost(plain))).isTrue());
            assertThat(proxied).noneSatisfy(r -> assertThat(r.to(plain.host())).isTrue());

            int mark = openProxy.requests().size();
            puller.inspect(pull(plain, "127.0.0.1", environment));
            assertThat(openProxy.requests().subList(mark, openProxy.requests().size()))
                    .anySatisfy(r -> assertThat(r.to(plain.host())).isTrue());
        } catch (Throwable t) {
            throw openProxy.withLogAttached(plain.withLogAttached(t));
        }
    }

    /**
     * Over TLS (the CONNECT is refused). tinyproxy 1.11 answers wrong credentials with 401 instead of
     * 407; to a CONNECT only the proxy answers, so that 401 is the proxy's. Over plain HTTP the proxy's
     * 401 is told from the registry's by its challenge: see {@link #overPlainHttpTinyproxysWrongPassword401IsKnownByItsRealm}.
     */
    @Test
    void aWrongProxyPasswordIsProxyAuthenticationFailed(@TempDir Path dir) throws Throwable {
        try (ChartPuller puller = new ChartPuller(dir)) {
            EngineException e = failure(
                    Reason.ProxyAuthenticationFailed,
                    () -> puller.inspect(pull(tls, "127.0.0.1", through(authProxy, PROXY_USER, "wrong-9a7b"))));
            assertThat(e.getMessage())
                    .contains(authProxy.hostPort(), "username", "password")
                    .doesNotContain("wrong-9a7b", PROXY_PASSWORD, PASSWORD);
            assertThat(tls.requests()).isEmpty();
            assertThat(tls.tokenServer().requestCount()).isZero();

            // No credentials at all: tinyproxy answers 407 (plain HTTP and CONNECT alike).
            for (RegistryFixture registry : List.of(plain, tls)) {
                EngineException none = failure(
                        Reason.ProxyAuthenticationFailed,
                        () -> puller.inspect(pull(registry, "127.0.0.1", through(authProxy, null, null))));
                assertThat(none.getMessage()).contains("requires authentication and none was given");
            }
        }
    }

    /**
     * tinyproxy's non-standard 401 over plain HTTP carries its own challenge ({@code Basic realm="Tinyproxy"}):
     * recognised as the proxy's refusal, with no secret in the message and nothing sent on to the registry.
     */
    @Test
    void overPlainHttpTinyproxysWrongPassword401IsKnownByItsRealm(@TempDir Path dir) throws Throwable {
        try (ChartPuller puller = new ChartPuller(dir)) {
            EngineException e = failure(
                    Reason.ProxyAuthenticationFailed,
                    () -> puller.inspect(pull(plain, "127.0.0.1", through(authProxy, PROXY_USER, "wrong-9a7b"))));
            assertThat(e.getMessage())
                    .contains(authProxy.hostPort(), "username", "password")
                    .doesNotContain("wrong-9a7b", PROXY_PASSWORD, PASSWORD);
            assertThat(plain.requests()).isEmpty();
        }
    }

    @Test
    void anUnreachableOrRefusingProxyIsProxyUnavailable(@TempDir Path dir) throws Throwable {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        ProxyRules nowhere = ProxyRules.allThrough(ProxyEndpoint.parse("http://127.0.0.1:" + closedPort, "test"));
        try (ChartPuller puller = new ChartPuller(dir)) {
            EngineException e = failure(Reason.ProxyUnavailable, () -> puller.inspect(withoutRetries(tls, nowhere)));
            assertThat(e.getMessage()).contains("127.0.0.1:" + closedPort);

            // The proxy is up but refuses to tunnel to a host off the machine: it, not we, resolves names.
            TransportOptions options = transport(tls).toBuilder()
                    .proxy(through(openProxy, null, null))
                    .retry(RetryPolicy.none())
                    .build();
            PullRequest offMachine = PullRequest.of(
                    OciReference.parse("oci://registry.invalid/charts/webapp:1.2.3"),
                    new RegistryOptions(Credentials.anonymous(), options));
            EngineException refused = failure(Reason.ProxyUnavailable, () -> puller.inspect(offMachine));
            assertThat(refused.getMessage()).contains(openProxy.hostPort(), "registry.invalid");
        }
    }

    private static PullRequest withoutRetries(RegistryFixture registry, ProxyRules proxy) {
        PullRequest request = pull(registry, "127.0.0.1", proxy);
        return PullRequest.of(
                request.reference(),
                request.options()
                        .withTransport(request.options().transport().toBuilder()
                                .retry(RetryPolicy.none())
                                .build()));
    }
}
