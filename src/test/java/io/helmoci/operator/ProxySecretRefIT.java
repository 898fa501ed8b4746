package io.helmoci.operator;

import static io.helmoci.operator.HelmOciChartAssert.readyMessage;
import static io.helmoci.operator.HelmOciChartAssert.readyReason;
import static org.assertj.core.api.Assertions.assertThat;

import io.helmoci.engine.Reason;
import io.helmoci.operator.api.v1alpha1.HelmOciChart;
import io.helmoci.testbed.ChartFactory;
import io.helmoci.testbed.HelmCli;
import io.helmoci.testbed.HttpProxy;
import io.helmoci.testbed.KubeApiServerFixture;
import io.helmoci.testbed.OperatorProcess;
import io.helmoci.testbed.RegistryFixture;
import io.helmoci.testbed.RegistryImplementation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * spec.proxySecretRef against a real proxy (tinyproxy with basic auth): the resource's registry and
 * token requests all go through it (its log counts them), a resource without it goes direct, a
 * wrong proxy password is Ready=False ProxyAuthenticationFailed, and no proxy or registry password
 * shows in status, events, the operator's log or its metrics.
 */
class ProxySecretRefIT {
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
        operator = OperatorProcess.start(
                kube.kubeconfig(),
                work.resolve("operator"),
                Map.of(
                        "quarkus.operator-sdk.controllers.helm-oci-operator.retry.interval.initial", "500",
                        "quarkus.operator-sdk.controllers.helm-oci-operator.retry.interval.max", "1000"));
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {operator, proxy, plain, tls}) {
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

    @Test
    void everyRequestOfTheResourceGoesThroughItsProxyAndOthersGoDirect() throws Throwable {
        String namespace = kube.createNamespace("proxied");
        plain.resetRequests();
        plain.tokenServer().resetRequests();
        int before = proxy.requests().size();
        try {
            kube.apply(namespace, secrets(PROXY_PASSWORD) + """
                    ---
                    apiVersion: helmoci.io/v1alpha1
                    kind: HelmOciChart
                    metadata:
                      name: via-proxy
                    spec:
                      url: oci://%s/charts/proxied
                      version: "1.0.0"
                      interval: 1h
                      insecure: true
                      secretRef:
                        name: registry
                      proxySecretRef:
                        name: proxy
                    """.formatted(plain.host()));
            HelmOciChartAssert hoc = new HelmOciChartAssert(kube, operator);
            hoc.awaitReady(namespace, "via-proxy");

            var proxied = proxy.requests().subList(before, proxy.requests().size());
            String tokenHost = plain.tokenServer().realm().getAuthority();
            assertThat(plain.requests()).isNotEmpty();
            assertThat(plain.tokenServer().requestCount()).isPositive();
            // Each registry and token request the resource caused is in the proxy's log, and nothing else is.
            assertThat(proxied.stream().filter(r -> r.to(plain.host())))
                    .hasSize(plain.requests().size());
            assertThat(proxied.stream().filter(r -> r.to(tokenHost)))
                    .hasSize(plain.tokenServer().requestCount());
            assertThat(proxied)
                    .hasSize(plain.requests().size() + plain.tokenServer().requestCount());

            // The same registry without proxySecretRef (and no proxy in the operator's environment): direct.
            int mark = proxy.requests().size();
            int registryMark = plain.requests().size();
            kube.apply(namespace, """
                    apiVersion: helmoci.io/v1alpha1
                    kind: HelmOciChart
                    metadata:
                      name: direct
                    spec:
                      url: oci://%s/charts/proxied
                      version: "1.0.0"
                      interval: 1h
                      insecure: true
                      secretRef:
                        name: registry
                    """.formatted(plain.host()));
            hoc.awaitReady(namespace, "direct");
            assertThat(plain.requests().size()).isGreaterThan(registryMark);
            assertThat(proxy.requests()).hasSize(mark);
        } catch (Throwable t) {
            throw proxy.withLogAttached(plain.withLogAttached(t));
        }
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
