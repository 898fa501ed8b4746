package io.helmoci.operator.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import io.helmoci.operator.Constants;
import io.helmoci.operator.HelmOciChartAssert;
import io.helmoci.operator.api.v1alpha1.HelmOciChart;
import io.helmoci.operator.api.v1alpha1.HelmOciReceiver;
import io.helmoci.testbed.ChartFactory;
import io.helmoci.testbed.HelmCli;
import io.helmoci.testbed.KubeApiServerFixture;
import io.helmoci.testbed.OperatorProcess;
import io.helmoci.testbed.RegistryFixture;
import io.helmoci.testbed.RegistryFixture.RegistryRequest;
import io.helmoci.testbed.RegistryImplementation;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Registry webhooks end to end: the real operator, kube-apiserver and CNCF distribution (v3) whose
 * notifications post to a HelmOciReceiver's path; the documented deliveries of the other senders
 * (src/test/resources/webhooks) posted as those registries would. A triggered chart shows as its
 * {@value Constants#REQUESTED_AT_ANNOTATION} annotation; a check as the requests the registry logs.
 */
class RegistryWebhookIT {
    static final String TOKEN = "token-" + Long.toHexString(System.nanoTime());
    static final Duration WINDOW = Duration.ofSeconds(1);
    static final int MAX_BODY = 65536;
    static final int PUSHES = 20;
    static final String OPERATOR_AGENT = "helm-oci-operator";

    @TempDir
    static Path work;

    static KubeApiServerFixture kube;
    static OperatorProcess operator;
    static RegistryFixture registry;
    static HelmOciChartAssert hoc;
    static HelmCli helm;
    static ChartFactory charts;
    static String namespace;
    static final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1) // as registries send webhooks
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    @BeforeAll
    static void start() {
        kube = KubeApiServerFixture.shared();
        kube.applyProjectCrds();
        namespace = kube.createNamespace("hooked");
        operator = OperatorProcess.start(
                kube.kubeconfig(),
                work.resolve("operator"),
                Map.of(
                        "helmoci.webhook.coalesce-window",
                        WINDOW.toMillis() + "ms",
                        "helmoci.webhook.max-body-bytes",
                        Integer.toString(MAX_BODY)));
        hoc = new HelmOciChartAssert(kube, operator);
        // The receiver's path is known before it exists (it derives from token, name and namespace): the
        // registry starts with its notification endpoint configured as a user would configure it.
        String path = WebhookPath.of(TOKEN, "registry", namespace);
        Map<String, Object> endpoint = new LinkedHashMap<>();
        endpoint.put("name", "helm-oci-operator");
        endpoint.put("url", operator.webhookUrl() + path);
        endpoint.put("headers", Map.of("Authorization", List.of("Bearer " + TOKEN)));
        endpoint.put("timeout", "2s");
        endpoint.put("threshold", 3);
        endpoint.put("backoff", "1s");
        registry = RegistryFixture.builder(RegistryImplementation.DISTRIBUTION_V3)
                .config("notifications.endpoints", List.of(endpoint))
                .start();
        helm = new HelmCli(work.resolve("helm"));
        charts = new ChartFactory(helm, work.resolve("charts"));
        createReceiver(namespace, "registry", "distribution", TOKEN, null);
        assertThat(awaitWebhookPath(namespace, "registry")).isEqualTo(path);
    }

    @AfterAll
    static void stop() {
        if (operator != null) {
            operator.close();
        }
        if (registry != null) {
            registry.close();
        }
    }

    /** The judged path: push, distribution notifies, the chart is Ready with the new version; no polling (interval 1h). */
    @Test
    void aPushIsServedAtOnceThroughDistributionsNotificationWithoutAnyPolling() throws Throwable {
        try {
            String other = kube.createNamespace("unhooked");
            createReceiver(other, "registry", "distribution", "another-token", null);
            helm.push(registry, charts.create("hooked", "1.0.0"), "charts");
            List<Path> versions = new ArrayList<>();
            for (int i = 1; i <= PUSHES; i++) {
                versions.add(charts.create("hooked", "1.0." + i));
            }
            for (String ns : List.of(namespace, other)) {
                kube.apply(ns, chartYaml("hooked", registry.ociUrl("charts/hooked"), ">=1.0.0", "1h", false, null));
                hoc.awaitReady(ns, "hooked");
            }
            Thread.sleep(WINDOW.toMillis() + 200); // the first push's own notification window
            registry.resetRequests();

            long[] millis = new long[PUSHES];
            for (int i = 1; i <= PUSHES; i++) {
                String version = "1.0." + i;
                helm.push(registry, versions.get(i - 1), "charts");
                long pushed = System.nanoTime();
                Awaitility.await("Ready with " + version)
                        .atMost(HelmOciChartAssert.WAIT)
                        .pollInterval(Duration.ofMillis(20))
                        .until(() -> servesVersion(hoc.get(namespace, "hooked"), version));
                millis[i - 1] = (System.nanoTime() - pushed) / 1_000_000;
                Thread.sleep(WINDOW.toMillis() + 100); // pushes closer than the window are seen when it ends
            }
            List<RegistryRequest> operatorRequests = registry.requests().stream()
                    .filter(r -> r.userAgent().startsWith(OPERATOR_AGENT))
                    .toList();
            long[] sorted = millis.clone();
            Arrays.sort(sorted);
            System.out.printf(
                    "webhook push -> Ready over %d pushes (distribution v3 notifications, interval 1h): p50 %d ms, p95 %d ms,"
                            + " max %d ms; all: %s; operator requests at the registry: %s%n",
                    PUSHES,
                    sorted[PUSHES / 2 - 1],
                    sorted[(int) Math.ceil(PUSHES * 0.95) - 1],
                    sorted[PUSHES - 1],
                    Arrays.toString(millis),
                    operatorRequests.stream()
                            .collect(Collectors.groupingBy(
                                    r -> r.method() + " " + kind(r.path()), Collectors.counting())));

            assertThat(operatorRequests.stream().filter(r -> r.path().endsWith("/tags/list")))
                    .as("one check (one tag list) per push, no polling in between: %s", operatorRequests)
                    .hasSize(PUSHES);
            HelmOciChart untouched = hoc.get(other, "hooked");
            assertThat(untouched.getMetadata().getAnnotations())
                    .as("the chart of the same repository in a namespace without the receiver is not triggered")
                    .doesNotContainKey(Constants.REQUESTED_AT_ANNOTATION);
            assertThat(untouched.getStatus().getResolvedVersion()).isEqualTo("1.0.0");
        } catch (Throwable failure) {
            throw operator.withLogAttached(registry.withLogAttached(failure));
        }
    }

    static Stream<String> types() {
        return WebhookFixtures.EXPECTED.keySet().stream().sorted();
    }

    /**
     * Every sender type: a valid delivery triggers exactly the receiver's selected charts naming the repository,
     * in its namespace only; forged, tokenless, oversized, malformed or misdirected deliveries get their status
     * and trigger nothing.
     */
    @ParameterizedTest
    @MethodSource("types")
    void eachSenderTriggersExactlyTheMatchingChartsOfItsNamespace(String type) throws Throwable {
        try {
            PushEvent announced = WebhookFixtures.EXPECTED.get(type);
            String url = "oci://" + announced.registry() + "/" + announced.repository();
            String ns = kube.createNamespace("sender-" + type);
            String other = kube.createNamespace("other-" + type);
            String token = "token-of-" + ns;
            Map<String, String> selected = Map.of("webhook", "yes");
            createReceiver(ns, "hook", type, token, selected);
            createReceiver(other, "hook", type, "token-of-" + other, selected);
            // Suspended: they make no registry request (the fixtures name registries we do not run).
            kube.apply(
                    ns,
                    chartYaml("match", url, "1.2.3", "1h", true, selected)
                            + "---\n" + chartYaml("unselected", url, "1.2.3", "1h", true, Map.of("webhook", "no"))
                            + "---\n" + chartYaml("other-repo", url + "-other", "1.2.3", "1h", true, selected));
            kube.apply(other, chartYaml("match", url, "1.2.3", "1h", true, selected));
            URI hook = operator.webhookUrl().resolve(awaitWebhookPath(ns, "hook"));
            URI otherHook = operator.webhookUrl().resolve(awaitWebhookPath(other, "hook"));
            byte[] body = WebhookFixtures.body(type);

            if (WebhookFixtures.AUTHENTICATING.contains(type)) {
                assertThat(post(hook, WebhookFixtures.forgedHeaders(type, body), body))
                        .as("forged")
                        .isEqualTo(401);
                assertThat(post(hook, WebhookFixtures.headersWithoutToken(type, body, token), body))
                        .as("no token")
                        .isEqualTo(401);
                assertThat(post(otherHook, WebhookFixtures.validHeaders(type, body, token), body))
                        .as("proof of one receiver's token sent to another receiver")
                        .isEqualTo(401);
            }
            byte[] malformed = "{\"not\": \"an event\"".getBytes(StandardCharsets.UTF_8);
            assertThat(post(hook, WebhookFixtures.validHeaders(type, malformed, token), malformed))
                    .as("malformed")
                    .isEqualTo(400);
            byte[] oversized = new byte[MAX_BODY + 1];
            Arrays.fill(oversized, (byte) ' ');
            assertThat(post(hook, WebhookFixtures.validHeaders(type, oversized, token), oversized))
                    .as("oversized")
                    .isEqualTo(413);
            URI guessed = operator.webhookUrl().resolve(WebhookPath.of("guessed", "hook", ns));
            assertThat(post(guessed, WebhookFixtures.validHeaders(type, body, token), body))
                    .as("a path derived from another token")
                    .isEqualTo(404);
            assertThat(http.send(HttpRequest.newBuilder(hook).GET().build(), HttpResponse.BodyHandlers.discarding())
                            .statusCode())
                    .as("GET")
                    .isEqualTo(405);
            Thread.sleep(WINDOW.toMillis() * 2); // anything wrongly triggered would be patched by now
            assertThat(triggered(ns)).as("rejected deliveries trigger nothing").isEmpty();

            assertThat(post(hook, WebhookFixtures.validHeaders(type, body, token), body))
                    .as("valid")
                    .isEqualTo(202);
            hoc.awaitTrue(() -> triggered(ns).contains("match"), "the matching chart of " + ns + " triggered");
            HelmOciChart match = hoc.await(
                    ns,
                    "match",
                    chart -> Objects.equals(
                            chart.getStatus().getLastHandledReconcileAt(),
                            chart.getMetadata().getAnnotations().get(Constants.REQUESTED_AT_ANNOTATION)),
                    "the request handled by a reconciliation");
            assertThat(match.getStatus().getLastHandledReconcileAt()).isNotNull();
            assertThat(triggered(ns))
                    .as("not the unselected chart, not another repository's")
                    .containsExactly("match");
            assertThat(triggered(other)).as("not another namespace's").isEmpty();
        } catch (Throwable failure) {
            throw operator.withLogAttached(failure);
        }
    }

    /** A flood of identical (replayed) deliveries costs one check per matching chart, counted at the registry. */
    @Test
    void aThousandIdenticalEventsInASecondCostAtMostOneCheckPerMatchingChart() throws Throwable {
        try {
            String ns = kube.createNamespace("flood");
            String token = "flood-token";
            createReceiver(ns, "hook", "generic-hmac", token, null);
            helm.push(registry, charts.create("flood", "1.0.0"), "flood");
            String url = registry.ociUrl("flood/flood");
            kube.apply(
                    ns,
                    chartYaml("flood-a", url, ">=1.0.0", "1h", false, null) + "---\n"
                            + chartYaml("flood-b", url, "1.0.0", "1h", false, null));
            hoc.awaitReady(ns, "flood-a");
            hoc.awaitReady(ns, "flood-b");
            URI hook = operator.webhookUrl().resolve(awaitWebhookPath(ns, "hook"));
            Thread.sleep(WINDOW.toMillis() + 200); // the push's own notification concerns another receiver
            registry.resetRequests();

            String digest = hoc.get(ns, "flood-b").getStatus().getManifestDigest();
            byte[] body = ("{\"registry\":\"" + registry.host()
                            + "\",\"repository\":\"flood/flood\",\"tag\":\"1.0.0\",\"digest\":\"" + digest
                            + "\"}")
                    .getBytes(StandardCharsets.UTF_8);
            Map<String, String> headers = WebhookFixtures.validHeaders("generic-hmac", body, token);
            long start = System.nanoTime();
            List<CompletableFuture<HttpResponse<Void>>> sent = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                HttpRequest.Builder request =
                        HttpRequest.newBuilder(hook).POST(HttpRequest.BodyPublishers.ofByteArray(body));
                headers.forEach(request::header);
                sent.add(http.sendAsync(request.build(), HttpResponse.BodyHandlers.discarding()));
            }
            Map<Integer, Long> statuses = sent.stream()
                    .map(CompletableFuture::join)
                    .collect(Collectors.groupingBy(HttpResponse::statusCode, Collectors.counting()));
            long sentMillis = (System.nanoTime() - start) / 1_000_000;
            for (String chart : List.of("flood-a", "flood-b")) {
                hoc.await(
                        ns,
                        chart,
                        c -> c.getMetadata().getAnnotations() != null
                                && Objects.equals(
                                        c.getStatus().getLastHandledReconcileAt(),
                                        c.getMetadata().getAnnotations().get(Constants.REQUESTED_AT_ANNOTATION)),
                        "the flood's check handled");
            }
            Thread.sleep(WINDOW.toMillis() * 3); // a second (trailing) trigger would have run by now
            List<RegistryRequest> checks = registry.requests().stream()
                    .filter(r -> r.userAgent().startsWith(OPERATOR_AGENT))
                    .filter(r -> r.path().endsWith("/tags/list") || r.method().equals("HEAD"))
                    .toList();
            System.out.printf(
                    "1000 identical generic-hmac events sent in %d ms (answers %s): registry checks by the operator: %s%n",
                    sentMillis, statuses, checks);

            assertThat(statuses).as("every authenticated delivery is accepted").containsOnlyKeys(202);
            assertThat(checks.stream().filter(r -> r.path().endsWith("/tags/list")))
                    .as("the range chart's check: one tag list")
                    .hasSize(1);
            assertThat(checks.stream().filter(r -> r.method().equals("HEAD")))
                    .as("one HEAD of the tag per check (the exact-version chart, and the range chart's selected tag,"
                            + " shared when concurrent)")
                    .hasSizeBetween(1, 2);
        } catch (Throwable failure) {
            throw operator.withLogAttached(registry.withLogAttached(failure));
        }
    }

    /** Rotating the token moves the webhook: the new path works and the old one is gone, before the status shows it. */
    @Test
    void aRotatedTokenMovesTheWebhookPath() throws Throwable {
        try {
            String ns = kube.createNamespace("rotate");
            createReceiver(ns, "hook", "generic-hmac", "first-token", null);
            URI first = operator.webhookUrl().resolve(awaitWebhookPath(ns, "hook"));
            byte[] body = "{\"registry\":\"registry.example.test\",\"repository\":\"charts/rotated\"}"
                    .getBytes(StandardCharsets.UTF_8);
            assertThat(post(first, WebhookFixtures.validHeaders("generic-hmac", body, "first-token"), body))
                    .isEqualTo(202);

            createReceiver(ns, "hook", "generic-hmac", "second-token", null);
            URI second = operator.webhookUrl().resolve(WebhookPath.of("second-token", "hook", ns));
            Map<String, String> signed = WebhookFixtures.validHeaders("generic-hmac", body, "second-token");
            hoc.awaitTrue(() -> postUnchecked(second, signed, body) == 202, "the new token's path accepted");

            assertThat(post(first, WebhookFixtures.validHeaders("generic-hmac", body, "first-token"), body))
                    .as("the old token's path")
                    .isEqualTo(404);
        } catch (Throwable failure) {
            throw operator.withLogAttached(failure);
        }
    }

    static int postUnchecked(URI uri, Map<String, String> headers, byte[] body) {
        try {
            return post(uri, headers, body);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- helpers ----

    static void createReceiver(String ns, String name, String type, String token, Map<String, String> selector) {
        String selectorYaml = selector == null
                ? ""
                : "  chartSelector:\n    matchLabels:\n"
                        + selector.entrySet().stream()
                                .map(e -> "      " + e.getKey() + ": \"" + e.getValue() + "\"\n")
                                .collect(Collectors.joining());
        kube.apply(ns, """
                apiVersion: v1
                kind: Secret
                metadata:
                  name: %s-token
                stringData:
                  token: "%s"
                ---
                apiVersion: helmoci.io/v1alpha1
                kind: HelmOciReceiver
                metadata:
                  name: %s
                spec:
                  type: %s
                  secretRef:
                    name: %s-token
                %s""".formatted(name, token, name, type, name, selectorYaml));
    }

    static String awaitWebhookPath(String ns, String name) {
        return Awaitility.await("HelmOciReceiver " + ns + "/" + name + " Ready with a webhook path")
                .atMost(HelmOciChartAssert.WAIT)
                .pollInterval(Duration.ofMillis(100))
                .until(
                        () -> {
                            HelmOciReceiver receiver = kube.client()
                                    .resources(HelmOciReceiver.class)
                                    .inNamespace(ns)
                                    .withName(name)
                                    .get();
                            boolean ready = receiver != null
                                    && receiver.getStatus() != null
                                    && receiver.getStatus().getConditions().stream()
                                            .anyMatch(c -> c.getType().equals(Constants.CONDITION_READY)
                                                    && c.getStatus().equals("True"));
                            return ready ? receiver.getStatus().getWebhookPath() : null;
                        },
                        Objects::nonNull);
    }

    static String chartYaml(
            String name, String url, String version, String interval, boolean suspend, Map<String, String> labels) {
        String labelYaml = labels == null
                ? ""
                : "  labels:\n"
                        + labels.entrySet().stream()
                                .map(e -> "    " + e.getKey() + ": \"" + e.getValue() + "\"\n")
                                .collect(Collectors.joining());
        return """
                apiVersion: helmoci.io/v1alpha1
                kind: HelmOciChart
                metadata:
                  name: %s
                %sspec:
                  url: %s
                  version: "%s"
                  interval: %s
                  insecure: true
                  suspend: %s
                """.formatted(name, labelYaml, url, version, interval, suspend);
    }

    /** The charts of the namespace that carry the annotation a webhook sets. */
    static List<String> triggered(String ns) {
        return kube.client().resources(HelmOciChart.class).inNamespace(ns).list().getItems().stream()
                .filter(c -> c.getMetadata().getAnnotations() != null
                        && c.getMetadata().getAnnotations().containsKey(Constants.REQUESTED_AT_ANNOTATION))
                .map(c -> c.getMetadata().getName())
                .sorted()
                .toList();
    }

    static boolean servesVersion(HelmOciChart chart, String version) {
        return chart != null
                && chart.getStatus() != null
                && version.equals(chart.getStatus().getResolvedVersion())
                && HelmOciChartAssert.condition(chart, Constants.CONDITION_READY)
                        .map(c -> c.getStatus().equals("True") && c.getMessage().contains(version))
                        .orElse(false);
    }

    static int post(URI uri, Map<String, String> headers, byte[] body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach((name, value) -> {
            if (!name.equalsIgnoreCase("content-length")) {
                request.header(name, value);
            }
        });
        return http.send(request.build(), HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    private static String kind(String path) {
        if (path.endsWith("/tags/list")) {
            return "tags/list";
        }
        return path.contains("/manifests/") ? "manifest" : path.contains("/blobs/") ? "blob" : path;
    }
}
