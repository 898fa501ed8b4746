package io.helmoci.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.helmoci.testbed.ChartFactory;
import io.helmoci.testbed.HelmCli;
import io.helmoci.testbed.HttpProxy;
import io.helmoci.testbed.HttpProxy.ProxiedRequest;
import io.helmoci.testbed.RegistryFixture;
import io.helmoci.testbed.RegistryImplementation;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The helm-oci command honours HTTP_PROXY / HTTPS_PROXY / NO_PROXY (the proxy's credentials as
 * user:password@, as Go programs take them) against a real proxy (tinyproxy with basic auth) in front of
 * a real registry with token auth over plain HTTP, so the proxy logs every request.
 */
class HelmOciCliProxyIT {
    private static final String USER = "ci-user";
    private static final String PASSWORD = "ci-password-6a1d";
    private static final String PROXY_USER = "proxyuser";
    private static final String PROXY_PASSWORD = "proxy-pass-e94c";

    @TempDir
    static Path work;

    static RegistryFixture registry;
    static HttpProxy proxy;

    @BeforeAll
    static void start() {
        registry = RegistryFixture.builder(RegistryImplementation.DISTRIBUTION_V3)
                .tokenAuth()
                .plainHttp()
                .user(USER, PASSWORD)
                .start();
        HelmCli helm = new HelmCli(work.resolve("helm"));
        helm.login(registry, USER, PASSWORD);
        helm.push(registry, new ChartFactory(helm, work).create("webapp", "1.4.2"), "charts");
        proxy = HttpProxy.start(work.resolve("proxy"), PROXY_USER, PROXY_PASSWORD);
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.close();
        }
        if (registry != null) {
            registry.close();
        }
    }

    @BeforeEach
    void resetCounts() {
        registry.resetRequests();
        registry.tokenServer().resetRequests();
    }

    private static String tokenHost() {
        return registry.tokenServer().realm().getAuthority();
    }

    @Test
    void everyRequestGoesThroughTheProxyOfTheEnvironment() throws Throwable {
        int before = proxy.requests().size();
        Run run = cli(Map.of("http_proxy", proxy.urlWithCredentials()), "127.0.0.1", "inspect");

        try {
            assertThat(run.exitCode).as(run.err).isZero();
            assertThat(run.out).contains("1.4.2");
            List<ProxiedRequest> proxied =
                    proxy.requests().subList(before, proxy.requests().size());
            assertThat(registry.requests()).isNotEmpty();
            assertThat(proxied.stream().filter(r -> r.to(registry.host())))
                    .hasSize(registry.requests().size());
            assertThat(proxied.stream().filter(r -> r.to(tokenHost())))
                    .hasSize(registry.tokenServer().requestCount())
                    .isNotEmpty();
            assertThat(proxied)
                    .hasSize(registry.requests().size() + registry.tokenServer().requestCount());
        } catch (Throwable t) {
            throw proxy.withLogAttached(registry.withLogAttached(t));
        }
    }

    @Test
    void noProxyHostsAreReachedDirectly() throws Throwable {
        int before = proxy.requests().size();
        // The registry as 'localhost' (listed: direct) with its token realm on 127.0.0.1 (not listed:
        // proxied). The proxy forwards to 127.x IP literals only: 'localhost' through it would fail.
        Run run = cli(
                Map.of("HTTP_PROXY", proxy.urlWithCredentials(), "NO_PROXY", ".corp.example, localhost"),
                "localhost",
                "inspect");

        try {
            assertThat(run.exitCode).as(run.err).isZero();
            List<ProxiedRequest> proxied =
                    proxy.requests().subList(before, proxy.requests().size());
            assertThat(registry.requests()).isNotEmpty();
            assertThat(proxied)
                    .hasSize(registry.tokenServer().requestCount())
                    .allSatisfy(r -> assertThat(r.to(tokenHost())).isTrue());
        } catch (Throwable t) {
            throw proxy.withLogAttached(registry.withLogAttached(t));
        }
    }

    @Test
    void aProxyWithoutItsCredentialsIsProxyAuthenticationFailed() {
        Run run = cli(Map.of("HTTP_PROXY", proxy.url()), "127.0.0.1", "inspect", "-o", "json");

        assertThat(run.exitCode).isEqualTo(HelmOciCli.EXIT_FAILURE);
        assertThat(run.out).contains("\"reason\" : \"ProxyAuthenticationFailed\"");
        assertThat(registry.requests()).isEmpty();
    }

    @Test
    void anUnusableProxyVariableIsNamedButNotShown() {
        Run run = cli(Map.of("HTTP_PROXY", "socks5://u:" + PROXY_PASSWORD + "@127.0.0.1:1080"), "127.0.0.1", "inspect");

        assertThat(run.exitCode).isEqualTo(HelmOciCli.EXIT_FAILURE);
        assertThat(run.err).contains("ProxyConfigurationInvalid", "HTTP_PROXY").doesNotContain(PROXY_PASSWORD);
        assertThat(registry.requests()).isEmpty();
    }

    @Test
    void theProxyFlagWinsOverTheEnvironment() {
        int before = proxy.requests().size();
        Run run = cli(
                Map.of("HTTP_PROXY", "http://127.0.0.1:1", "NO_PROXY", "*"),
                "127.0.0.1",
                "inspect",
                "--proxy",
                proxy.urlWithCredentials());

        assertThat(run.exitCode).as(run.err).isZero();
        assertThat(proxy.requests().subList(before, proxy.requests().size()))
                .anySatisfy(r -> assertThat(r.to(registry.host())).isTrue());
    }

    /** Runs {@code helm-oci <command> oci://<host>:<port>/charts/webapp ...} in {@code environment}. */
    private static Run cli(Map<String, String> environment, String host, String command, String... more) {
        List<String> args = new ArrayList<>(List.of(
                command,
                "oci://" + host + ":" + registry.port() + "/charts/webapp",
                "--version",
                "1.4.2",
                "--plain-http",
                "--username",
                USER,
                "--password-stdin",
                "--cache-dir",
                work.resolve("cache").toString()));
        args.addAll(List.of(more));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = HelmOciCli.run(
                args.toArray(String[]::new),
                new ByteArrayInputStream(PASSWORD.getBytes(StandardCharsets.UTF_8)),
                new PrintWriter(out, true),
                new PrintWriter(err, true),
                environment);
        Run run = new Run(exit, out.toString(), err.toString());
        assertThat(run.out + run.err).doesNotContain(PROXY_PASSWORD, PASSWORD);
        return run;
    }

    private record Run(int exitCode, String out, String err) {}
}
