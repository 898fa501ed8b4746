package io.helmoci.operator;

import static io.helmoci.operator.HelmOciChartAssert.readyMessage;
import static io.helmoci.operator.HelmOciChartAssert.readyReason;
import static org.assertj.core.api.Assertions.assertThat;

import io.helmoci.engine.Reason;
import io.helmoci.operator.api.v1alpha1.HelmOciChart;
import io.helmoci.testbed.ChartFactory;
import io.helmoci.testbed.HelmCli;
import io.helmoci.testbed.HttpProxy;
import io.helmoci.testbed.HttpProxy.ProxiedRequest;
import io.helmoci.testbed.KubeApiServerFixture;
import io.helmoci.testbed.OperatorProcess;
import io.helmoci.testbed.RegistryFixture;
import io.helmoci.testbed.RegistryImplementation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proxies of the operator against real proxies (tinyproxy, one with basic auth, one without): a
 * resource's spec.proxySecretRef takes all its registry and token requests (the proxy's log counts
 * them); without it the operator's {@code http_proxy} does, except for hosts in {@code NO_PROXY};
 * a wrong proxy password is Ready=False ProxyAuthenticationFailed; and no proxy or registry password
 * shows in status, events, the operator's log or its metrics. ({@code HTTPS_PROXY} is left unset for
 * the operator: fabric8 would send the API server's traffic through it too.)
 */
class OperatorProxyIT {
    private static final String USER = "alice";
    private static final String PASSWORD = "registry-pass-41c9";
    private static final String PROXY_USER = "proxyuser";
    private static final String PROXY_PASSWORD = "proxy-pass-b7e0";
    private static final String WRONG_PROXY_PASSWORD = "wrong-proxy-pass-03d6";

    @TempDir
    static Path work;

    static KubeApiServerFixture kube;
    static OperatorProcess operator;
    static RegistryFixture plain;
    static RegistryFixture tls;
    static HttpProxy proxy;
    static HttpProxy environmentProxy;

    @BeforeAll
    static void start() {
        kube = KubeApiServerFixture.shared();
        kube.applyProjectCrds();
        // Plain HTTP with token auth: the proxy reads (and logs) every registry and token request.
        plain = RegistryFixture.builder(RegistryImplementation.DISTRIBUTION_V3)
                .tokenAuth()
                .plainHttp()
                .user(USER, PASSWORD)
                .start();
        tls = RegistryFixture.builder(RegistryImplementation.DEBIAN_DISTRIBUTION_2_8)
                .tls()
                .start();
        HelmCli helm = new HelmCli(work.resolve("helm"));
        Path chart = new ChartFactory(helm, work.resolve("charts")).create("proxied", "1.0.0");
        helm.login(plain, USER, PASSWORD);
        helm.push(plain, chart, "charts");
        helm.push(tls, chart, "charts");
        proxy = HttpProxy.start(work.resolve("proxy"), PROXY_USER, PROXY_PASSWORD);
        environmentProxy = HttpProxy.start(work.resolve("environment-proxy"));
        operator = OperatorProcess.start(
                kube.kubeconfig(),
                work.resolve("operator"),
                Map.of(
                        "quarkus.operator-sdk.controllers.helm-oci-operator.retry.interval.initial", "500",
                        "quarkus.operator-sdk.controllers.helm-oci-operator.retry.interval.max", "1000"),
                List.of(),
                Map.of("http_proxy", environmentProxy.url(), "NO_PROXY", "localhost"));
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {operator, proxy, environmentProxy, plain, tls}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // best effort
            }
        }
    }

    private static String secrets(String proxyPassword) {
        return """
                apiVersion: v1
                kind: Secret
                metadata:
                  name: registry
                type: kubernetes.io/basic-auth
                stringData:
                  username: %s
                  password: %s
                ---
                apiVersion: v1
                kind: Secret
                metadata:
                  name: proxy
                stringData:
                  address: %s
                  username: %s
                  password: %s
                """.formatted(USER, PASSWORD, proxy.url(), PROXY_USER, proxyPassword);
    }

    /** How many requests {@code proxy} logged since {@code mark} for the plain registry and its token service. */
    private static int[] sinceMark(HttpProxy proxy, int mark) {
        List<ProxiedRequest> since =
                proxy.requests().subList(mark, proxy.requests().size());
        String tokenHost = plain.tokenServer().realm().getAuthority();
        return new int[] {
            (int) since.stream().filter(r -> r.to(plain.host())).count(),
            (int) since.stream().filter(r -> r.to(tokenHost)).count()
        };
    }

    private static String chart(String name, String host, boolean withProxySecret) {
        return """
                apiVersion: helmoci.io/v1alpha1
                kind: HelmOciChart
                metadata:
                  name: %s
                spec:
                  url: oci://%s:%d/charts/proxied
                  version: "1.0.0"
                  interval: 1h
                  insecure: true
                  secretRef:
                    name: registry
                """.formatted(name, host, plain.port())
                + (withProxySecret ? "  proxySecretRef:\n    name: proxy\n" : "");
    }

    @Test
    void theResourcesProxyThenTheEnvironmentsThenNoProxy() throws Throwable {
        String namespace = kube.createNamespace("proxied");
        HelmOciChartAssert hoc = new HelmOciChartAssert(kube, operator);
        kube.apply(namespace, secrets(PROXY_PASSWORD));
        try {
            // 1. spec.proxySecretRef: every registry and token request through that proxy, none through the
            // environment's.
            plain.resetRequests();
            plain.tokenServer().resetRequests();
            int own = proxy.requests().size();
            int env = environmentProxy.requests().size();
            kube.apply(namespace, chart("via-secret", "127.0.0.1", true));
            hoc.awaitReady(namespace, "via-secret");
            assertThat(plain.requests()).isNotEmpty();
            assertThat(plain.tokenServer().requestCount()).isPositive();
            assertThat(sinceMark(proxy, own))
                    .containsExactly(
                            plain.requests().size(), plain.tokenServer().requestCount());
            assertThat(sinceMark(environmentProxy, env)).containsExactly(0, 0);

            // 2. No proxySecretRef: the operator's http_proxy, for registry and token service alike.
            plain.resetRequests();
            plain.tokenServer().resetRequests();
            own = proxy.requests().size();
            env = environmentProxy.requests().size();
            kube.apply(namespace, chart("via-environment", "127.0.0.1", false));
            hoc.awaitReady(namespace, "via-environment");
            assertThat(plain.requests()).isNotEmpty();
            assertThat(sinceMark(environmentProxy, env))
                    .containsExactly(
                            plain.requests().size(), plain.tokenServer().requestCount());
            assertThat(sinceMark(proxy, own)).containsExactly(0, 0);

            // 3. The registry as 'localhost', listed in NO_PROXY: direct (the proxy would refuse a host
            // name). Its token realm is 127.0.0.1, not listed: the token requests still go through the proxy.
            plain.resetRequests();
            plain.tokenServer().resetRequests();
            env = environmentProxy.requests().size();
            kube.apply(namespace, chart("no-proxy", "localhost", false));
            hoc.awaitReady(namespace, "no-proxy");
            assertThat(plain.requests()).isNotEmpty();
            assertThat(sinceMark(environmentProxy, env))
                    .containsExactly(0, plain.tokenServer().requestCount());
            assertThat(environmentProxy
                            .requests()
                            .subList(env, environmentProxy.requests().size()))
                    .noneSatisfy(r -> assertThat(r.target()).contains("localhost"));
        } catch (Throwable t) {
            throw environmentProxy.withLogAttached(proxy.withLogAttached(plain.withLogAttached(t)));
        }
    }

    @Test
    void anUnreachableProxyIsProxyUnavailable() throws Exception {
        String namespace = kube.createNamespace("no-proxy-there");
        int closedPort;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        kube.apply(namespace, """
                apiVersion: v1
                kind: Secret
                metadata:
                  name: proxy
                stringData:
                  address: http://127.0.0.1:%d
                ---
                apiVersion: helmoci.io/v1alpha1
                kind: HelmOciChart
                metadata:
                  name: unreachable
                spec:
                  url: oci://%s/charts/proxied
                  version: "1.0.0"
                  interval: 1h
                  insecure: true
                  proxySecretRef:
                    name: proxy
                """.formatted(closedPort, plain.host()));
        HelmOciChart failed = new HelmOciChartAssert(kube, operator)
                .await(
                        namespace,
                        "unreachable",
                        c -> Reason.ProxyUnavailable.name().equals(readyReason(c)),
                        "Ready=False, ProxyUnavailable");
        assertThat(HelmOciChartAssert.conditionStatus(failed, "Ready")).isEqualTo("False");
        assertThat(readyMessage(failed)).contains("127.0.0.1:" + closedPort, "proxy");
    }

    @Test
    void anUnusableProxyVariableStopsTheStartNamingTheVariableNotItsValue() {
        String secret = "socks-pass-29fa";
        Throwable failure = org.assertj.core.api.Assertions.catchThrowable(() -> OperatorProcess.start(
                        kube.kubeconfig(),
                        work.resolve("operator-bad-proxy"),
                        Map.of(),
                        List.of(),
                        Map.of("HTTPS_PROXY", "socks5://u:" + secret + "@127.0.0.1:1080"))
                .close());

        assertThat(failure)
                .as("the operator must not start with an unusable HTTPS_PROXY")
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("the operator exited");
        assertThat(failure.getMessage()).contains("HTTPS_PROXY", "socks5").doesNotContain(secret);
    }

    @Test
    void aWrongProxyPasswordIsProxyAuthenticationFailedAndNoPasswordLeaks() throws Throwable {
        String namespace = kube.createNamespace("wrong-proxy");
        tls.resetRequests();
        kube.apply(
                namespace,
                secrets(WRONG_PROXY_PASSWORD)
                        + """
                ---
                apiVersion: v1
                kind: Secret
                metadata:
                  name: ca
                stringData:
                  ca.crt: |
                %s
                ---
                apiVersion: helmoci.io/v1alpha1
                kind: HelmOciChart
                metadata:
                  name: wrong-password
                spec:
                  url: oci://%s/charts/proxied
                  version: "1.0.0"
                  interval: 1h
                  certSecretRef:
                    name: ca
                  proxySecretRef:
                    name: proxy
                """.formatted(Files.readString(tls.caFile()).indent(4).stripTrailing(), tls.host()));
        HelmOciChartAssert hoc = new HelmOciChartAssert(kube, operator);
        HelmOciChart failed = hoc.await(
                namespace,
                "wrong-password",
                c -> Reason.ProxyAuthenticationFailed.name().equals(readyReason(c)),
                "Ready=False, ProxyAuthenticationFailed");
        assertThat(HelmOciChartAssert.conditionStatus(failed, "Ready")).isEqualTo("False");
        assertThat(readyMessage(failed)).contains(proxy.hostPort(), "spec.proxySecretRef", "username", "password");
        assertThat(tls.requests()).isEmpty();

        // The password grep: status of every resource, events, the operator's log and its metrics.
        hoc.awaitTrue(
                () -> kube.kubectl("get", "events", "-n", namespace).stdout().contains("ProxyAuthenticationFailed"),
                "a ProxyAuthenticationFailed event");
        String everything = String.join(
                "\n",
                kube.kubectl("get", "hoc", "-A", "-o", "yaml").stdout(),
                kube.kubectl("get", "events", "-A", "-o", "yaml").stdout(),
                operator.logs(),
                new String(operator.get("/q/metrics").body()));
        assertThat(everything).contains("ProxyAuthenticationFailed");
        for (String secret : new String[] {PROXY_PASSWORD, WRONG_PROXY_PASSWORD, PASSWORD}) {
            assertThat(everything).as("a password in status/events/log/metrics").doesNotContain(secret);
        }
    }
}
