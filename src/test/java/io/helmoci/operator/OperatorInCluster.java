package io.helmoci.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.helmoci.operator.api.v1alpha1.HelmOciChart;
import io.helmoci.operator.api.v1alpha1.HelmOciChartSpec;
import io.helmoci.testbed.ClusterExtension;
import io.helmoci.testbed.ClusterFixture;
import io.helmoci.testbed.HelmCli;
import io.helmoci.testbed.HelmMajor;
import io.helmoci.testbed.ProcessRunner;
import io.helmoci.testbed.Tools;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * The operator as users run it, on the test bed's real cluster: its image (built by {@code make
 * image}) pushed to the cluster's registry, its Helm chart ({@code deploy/chart/helm-oci-operator})
 * pushed there as an OCI chart and installed with the README's {@code helm install}, then:
 * HelmOciCharts Ready through the pod, artifacts through the Service, the operator pod killed
 * mid-work, {@code helm upgrade} to two replicas while serving, one leader and two servers,
 * the sample chart installed from the artifact URL and from the index, {@code helm uninstall}.
 * Run once per Helm major by the subclasses; the steps depend on each other, in order.
 *
 * <p>The cluster has no DNS, neither for pods nor for this JVM: Services are reached at their
 * ClusterIP. The install therefore starts with the chart's default artifact base URL
 * ({@code http://helm-oci-operator.helm-oci-system.svc}), fetched here at the ClusterIP, and the
 * upgrade sets {@code artifactsBaseUrl} to the ClusterIP, as a user without cluster DNS would.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class OperatorInCluster {
    static final String RELEASE = "helm-oci-operator";
    static final String RELEASE_NAMESPACE = "helm-oci-system";
    static final String CHART_DIR = "deploy/chart/helm-oci-operator";
    static final Path SAMPLE_CHART_DIR = Path.of("src/test/resources/charts/hello-http");
    static final String LEASE = "helm-oci-operator-leader";
    static final String INSTANCE_LABEL = "app.kubernetes.io/instance";
    static final Duration READY_TIMEOUT = Duration.ofMinutes(3);
    static final Duration HELM_TIMEOUT = Duration.ofMinutes(5);
    static final long MEMORY_LIMIT_BYTES = 512L * 1024 * 1024;
    private static final Pattern CHART_VERSION = Pattern.compile("(?m)^version:\\s*\"?([^\"\\s]+)\"?\\s*$");

    @RegisterExtension
    static final ClusterExtension cluster = new ClusterExtension();

    /** The steps build on each other: after a failed one, the rest are skipped instead of timing out one by one. */
    @RegisterExtension
    final StopAfterFailure stopAfterFailure = new StopAfterFailure();

    private final HelmMajor major;
    private HelmCli helmCli;
    private Path work;
    private String operatorChartRef;
    private String operatorChartVersion;
    private OperatorImage.Pushed image;
    private String sampleChartRef;
    private byte[] sampleChartBytes;
    private String chartsNamespace;
    private URI serviceUrl;

    OperatorInCluster(HelmMajor major) {
        this.major = major;
    }

    KubernetesClient client() {
        return cluster.client();
    }

    ClusterFixture node() {
        return cluster.cluster();
    }

    @BeforeAll
    void pushTheImageAndTheCharts() throws IOException {
        image = OperatorImage.pushedTo(node());
        work = Files.createTempDirectory("operator-e2e-" + major);
        helmCli = new HelmCli(work.resolve("helm"), major);
        removeEarlierInstall();
        String registry = node().registry();
        // The operator's own chart, packaged from the checkout and pushed as an OCI chart.
        operatorChartVersion = chartVersion(Path.of(CHART_DIR));
        Path operatorChart = helmPackage(Path.of(CHART_DIR));
        helm(List.of("push", operatorChart.toString(), "oci://" + registry + "/charts", "--plain-http"))
                .orThrow();
        operatorChartRef = "oci://" + registry + "/charts/" + RELEASE;
        // The sample chart the HelmOciCharts point at.
        Path sampleChart = helmPackage(SAMPLE_CHART_DIR);
        sampleChartBytes = Files.readAllBytes(sampleChart);
        helm(List.of("push", sampleChart.toString(), "oci://" + registry + "/samples", "--plain-http"))
                .orThrow();
        sampleChartRef = "oci://" + registry + "/samples/hello-http";
        // Its own namespace per Helm major (the extension's namespace is shared by the subclasses' static field).
        chartsNamespace = node().createNamespace(getClass().getSimpleName());
    }

    @AfterAll
    void removeTheInstall() {
        removeEarlierInstall();
    }

    @Test
    @Order(1)
    void helmInstallFromTheRegistryRunsAReadyPodWithTheChartsSecurityContext() {
        // The README's install command, with the cluster's registry as HOST (plain HTTP).
        helm(List.of(
                        "install",
                        RELEASE,
                        operatorChartRef,
                        "--version",
                        operatorChartVersion,
                        "--namespace",
                        RELEASE_NAMESPACE,
                        "--create-namespace",
                        "--plain-http",
                        "--set",
                        "image.repository=" + image.repository(),
                        "--set",
                        "image.tag=" + image.tag()))
                .orThrow();

        // The README's optional next command: every later operator pod (the replacement, the upgrade's) is
        // then admitted only if it meets the "restricted" Pod Security Standard.
        node().kubectl("label", "namespace", RELEASE_NAMESPACE, "pod-security.kubernetes.io/enforce=restricted")
                .orThrow();

        node().awaitDeploymentReady(RELEASE_NAMESPACE, RELEASE, READY_TIMEOUT);
        Pod pod = onlyOperatorPod();
        Container container = pod.getSpec().getContainers().get(0);
        assertThat(container.getImage()).isEqualTo(image.repository() + ":" + image.tag());
        assertThat(pod.getSpec().getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSpec().getSecurityContext().getSeccompProfile().getType())
                .isEqualTo("RuntimeDefault");
        assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(container.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/q/health/live");
        assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/q/health/ready");
        // What the kernel enforces on the container's process: its uid, no capabilities, no new privileges.
        Map<String, String> status = procStatus(pod);
        assertThat(status.get("Uid")).startsWith("10001\t");
        assertThat(status.get("CapEff")).isEqualTo("0000000000000000");
        assertThat(status.get("NoNewPrivs")).isEqualTo("1");
        assertThat(status.get("Seccomp")).isEqualTo("2"); // filter mode: the RuntimeDefault profile
        // In-cluster configuration: the pod's ServiceAccount took the leader Lease through the API server.
        Lease lease = awaitLeaseHolder();
        assertThat(lease.getSpec().getHolderIdentity())
                .isEqualTo(pod.getMetadata().getName());
        serviceUrl = node().serviceUrl(RELEASE_NAMESPACE, RELEASE, 80);
        reportMemory("idle after start", pod);
    }

    @Test
    @Order(2)
    void aHelmOciChartBecomesReadyThroughThePodAndItsArtifactIsServedThroughTheService() {
        HelmOciChart chart = createChart("hello");

        HelmOciChart ready = awaitReady(chart.getMetadata().getName());

        String url = ready.getStatus().getArtifact().getUrl();
        assertThat(url).startsWith("http://" + RELEASE + "." + RELEASE_NAMESPACE + ".svc/");
        HttpResponse<byte[]> artifact = getBytesEventually(atServiceIp(url));
        assertThat(artifact.statusCode()).isEqualTo(200);
        assertThat(artifact.body()).isEqualTo(sampleChartBytes);
        assertThat(ready.getStatus().getArtifact().getDigest()).isEqualTo(sha256(sampleChartBytes));
    }

    @Test
    @Order(3)
    void theReplacementPodFinishesTheWorkWhenTheOperatorPodIsKilledMidWork() {
        Pod killed = onlyOperatorPod();
        List<String> names = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            names.add(createChart("mid-work-" + i).getMetadata().getName());
        }

        client().pods()
                .inNamespace(RELEASE_NAMESPACE)
                .withName(killed.getMetadata().getName())
                .withGracePeriod(0)
                .delete();

        // The Deployment's status still counts the killed pod for a moment: wait for the replacement itself.
        Pod replacement = awaitReadyReplacementOf(killed.getMetadata().getName());
        for (String name : names) {
            HelmOciChart ready = awaitReady(name);
            assertThat(getBytesEventually(
                                    atServiceIp(ready.getStatus().getArtifact().getUrl()))
                            .body())
                    .isEqualTo(sampleChartBytes);
        }
        assertThat(onlyOperatorPod().getMetadata().getName())
                .isEqualTo(replacement.getMetadata().getName());
        assertThat(awaitLeaseHolder().getSpec().getHolderIdentity())
                .isEqualTo(replacement.getMetadata().getName());
        reportMemory("after reconciling 6 HelmOciCharts", replacement);
    }

    @Test
    @Order(4)
    void helmUpgradeToTwoReplicasKeepsServing() throws InterruptedException {
        HelmOciChart chart = awaitReady(chartName("hello"));
        URI artifact = atServiceIp(chart.getStatus().getArtifact().getUrl());
        AtomicBoolean upgrading = new AtomicBoolean(true);
        AtomicInteger served = new AtomicInteger();
        List<String> failures = new ArrayList<>();
        Thread client = new Thread(
                () -> {
                    while (upgrading.get()) {
                        try {
                            HttpResponse<byte[]> response = getBytes(artifact);
                            if (response.statusCode() == 200) {
                                served.incrementAndGet();
                            } else {
                                synchronized (failures) {
                                    failures.add("HTTP " + response.statusCode());
                                }
                            }
                        } catch (RuntimeException e) {
                            synchronized (failures) {
                                failures.add(e.toString());
                            }
                        }
                    }
                },
                "artifact-client");
        client.start();
        try {
            // The base URL becomes the Service's ClusterIP: this cluster has no DNS (see the class comment).
            helm(List.of(
                            "upgrade",
                            RELEASE,
                            operatorChartRef,
                            "--version",
                            operatorChartVersion,
                            "--namespace",
                            RELEASE_NAMESPACE,
                            "--plain-http",
                            "--reuse-values",
                            "--set",
                            "replicas=2",
                            "--set",
                            "artifactsBaseUrl=" + serviceUrl))
                    .orThrow();
            node().awaitDeploymentReady(RELEASE_NAMESPACE, RELEASE, READY_TIMEOUT);
        } finally {
            upgrading.set(false);
            client.join();
        }

        assertThat(served.get()).isPositive();
        synchronized (failures) {
            assertThat(failures)
                    .as("requests that failed during the upgrade (of %d served)", served.get())
                    .isEmpty();
        }
        HelmOciChart rewritten = await(
                chart.getMetadata().getName(),
                c -> c.getStatus().getArtifact() != null
                        && c.getStatus().getArtifact().getUrl().startsWith(serviceUrl + "/"),
                "status.artifact.url on the new base URL " + serviceUrl);
        assertThat(getBytesEventually(
                                URI.create(rewritten.getStatus().getArtifact().getUrl()))
                        .body())
                .isEqualTo(sampleChartBytes);
    }

    @Test
    @Order(5)
    void withTwoReplicasOneLeadsAndBothServeArtifacts() {
        List<Pod> pods = operatorPods();
        assertThat(pods).hasSize(2);
        Lease lease = awaitLeaseHolder();
        assertThat(pods)
                .extracting(p -> p.getMetadata().getName())
                .contains(lease.getSpec().getHolderIdentity());
        String path = URI.create(
                        awaitReady(chartName("hello")).getStatus().getArtifact().getUrl())
                .getRawPath();
        for (Pod pod : pods) {
            URI direct = URI.create("http://" + pod.getStatus().getPodIP() + ":8080" + path);
            HttpResponse<byte[]> response = getBytes(direct);
            assertThat(response.statusCode())
                    .as("GET %s from pod %s", direct, pod.getMetadata().getName())
                    .isEqualTo(200);
            assertThat(response.body()).isEqualTo(sampleChartBytes);
        }
    }

    @Test
    @Order(6)
    void helmInstallOfTheSampleChartFromTheArtifactUrlAndFromTheIndexRunsItsPods() {
        String artifactUrl =
                awaitReady(chartName("hello")).getStatus().getArtifact().getUrl();
        String helloImage = "image=" + node().helloImage();

        helm(List.of(
                        "install",
                        "from-url",
                        artifactUrl,
                        "--namespace",
                        chartsNamespace,
                        "--set",
                        helloImage,
                        "--set",
                        "message=from the artifact URL"))
                .orThrow();
        String indexUrl = serviceUrl + "/charts/" + chartsNamespace;
        helm(List.of("repo", "add", "operator-index", indexUrl)).orThrow();
        helm(List.of(
                        "install",
                        "from-index",
                        "operator-index/hello-http",
                        "--version",
                        "1.0.0",
                        "--namespace",
                        chartsNamespace,
                        "--set",
                        helloImage,
                        "--set",
                        "message=from the index"))
                .orThrow();

        for (String release : List.of("from-url", "from-index")) {
            node().awaitDeploymentReady(chartsNamespace, release, READY_TIMEOUT);
            HttpResponse<String> hello =
                    node().httpGet(node().serviceUrl(chartsNamespace, release, 80), Duration.ofSeconds(30));
            assertThat(hello.body())
                    .startsWith("hello from " + release + "-")
                    .endsWith(release.equals("from-url") ? ": from the artifact URL\n" : ": from the index\n");
        }
    }

    @Test
    @Order(7)
    void helmUninstallLeavesNoOperatorObjectsBehindButKeepsTheCrd() {
        reportMemory("before uninstall", onlyLeader());

        helm(List.of("uninstall", RELEASE, "--namespace", RELEASE_NAMESPACE, "--wait", "--timeout", "3m"))
                .orThrow();

        String selector = INSTANCE_LABEL + "=" + RELEASE;
        List<HasMetadata> left = new ArrayList<>();
        left.addAll(client().apps()
                .deployments()
                .inNamespace(RELEASE_NAMESPACE)
                .withLabel(INSTANCE_LABEL, RELEASE)
                .list()
                .getItems());
        left.addAll(client().services()
                .inNamespace(RELEASE_NAMESPACE)
                .withLabel(INSTANCE_LABEL, RELEASE)
                .list()
                .getItems());
        left.addAll(client().serviceAccounts()
                .inNamespace(RELEASE_NAMESPACE)
                .withLabel(INSTANCE_LABEL, RELEASE)
                .list()
                .getItems());
        left.addAll(client().rbac()
                .roles()
                .inAnyNamespace()
                .withLabel(INSTANCE_LABEL, RELEASE)
                .list()
                .getItems());
        left.addAll(client().rbac()
                .roleBindings()
                .inAnyNamespace()
                .withLabel(INSTANCE_LABEL, RELEASE)
                .list()
                .getItems());
        left.addAll(client().rbac()
                .clusterRoles()
                .withLabel(INSTANCE_LABEL, RELEASE)
                .list()
                .getItems());
        left.addAll(client().rbac()
                .clusterRoleBindings()
                .withLabel(INSTANCE_LABEL, RELEASE)
                .list()
                .getItems());
        assertThat(left)
                .as("objects labelled %s after helm uninstall", selector)
                .isEmpty();
        assertThat(client().rbac().clusterRoles().list().getItems())
                .extracting(r -> r.getMetadata().getName())
                .noneMatch(name -> name.contains(RELEASE));
        assertThat(client().rbac().clusterRoleBindings().list().getItems())
                .extracting(r -> r.getMetadata().getName())
                .noneMatch(name -> name.contains(RELEASE));
        client().pods()
                .inNamespace(RELEASE_NAMESPACE)
                .withLabel(INSTANCE_LABEL, RELEASE)
                .waitUntilCondition(p -> p == null, READY_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        assertThat(operatorPods()).isEmpty();
        assertThat(client().apiextensions()
                        .v1()
                        .customResourceDefinitions()
                        .withName("helmocicharts.helmoci.io")
                        .get())
                .as("the CRD, kept as Helm keeps crds/")
                .isNotNull();
    }

    // --- helpers

    static final class StopAfterFailure implements TestWatcher, ExecutionCondition {
        private volatile String failedStep;

        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            return failedStep == null
                    ? ConditionEvaluationResult.enabled("no step failed")
                    : ConditionEvaluationResult.disabled("step " + failedStep + " failed; this one builds on it");
        }

        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            failedStep = context.getDisplayName();
        }
    }

    private HelmOciChart createChart(String name) {
        HelmOciChartSpec spec = new HelmOciChartSpec();
        spec.setUrl(sampleChartRef);
        spec.setVersion("1.0.0");
        spec.setInsecure(true);
        HelmOciChart chart = new HelmOciChart();
        chart.setMetadata(new ObjectMetaBuilder()
                .withName(chartName(name))
                .withNamespace(chartsNamespace)
                .build());
        chart.setSpec(spec);
        return client().resources(HelmOciChart.class)
                .inNamespace(chartsNamespace)
                .resource(chart)
                .create();
    }

    private String chartName(String name) {
        return name + "-" + major;
    }

    private HelmOciChart awaitReady(String name) {
        return await(
                name,
                c -> c.getStatus().getConditions() != null
                        && c.getStatus().getConditions().stream()
                                .anyMatch(cond -> Constants.CONDITION_READY.equals(cond.getType())
                                        && "True".equals(cond.getStatus()))
                        && c.getStatus().getArtifact() != null,
                "Ready");
    }

    private HelmOciChart await(String name, Predicate<HelmOciChart> condition, String what) {
        Instant deadline = Instant.now().plus(READY_TIMEOUT);
        HelmOciChart chart = null;
        while (Instant.now().isBefore(deadline)) {
            chart = client().resources(HelmOciChart.class)
                    .inNamespace(chartsNamespace)
                    .withName(name)
                    .get();
            if (chart != null && chart.getStatus() != null && condition.test(chart)) {
                return chart;
            }
            sleep(Duration.ofMillis(500));
        }
        throw new AssertionError("HelmOciChart " + chartsNamespace + "/" + name + " not " + what + " within "
                + READY_TIMEOUT + "; status: " + (chart == null ? "(none)" : chart.getStatus()) + "\noperator logs:\n"
                + operatorLogs());
    }

    private List<Pod> operatorPods() {
        return client()
                .pods()
                .inNamespace(RELEASE_NAMESPACE)
                .withLabel(INSTANCE_LABEL, RELEASE)
                .list()
                .getItems()
                .stream()
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                .toList();
    }

    private Pod onlyOperatorPod() {
        List<Pod> pods = operatorPods();
        assertThat(pods).as("operator pods").hasSize(1);
        return pods.get(0);
    }

    private Pod onlyLeader() {
        String holder = awaitLeaseHolder().getSpec().getHolderIdentity();
        return operatorPods().stream()
                .filter(p -> p.getMetadata().getName().equals(holder))
                .findFirst()
                .orElseThrow(() -> new AssertionError("the Lease holder " + holder + " is not a running operator pod"));
    }

    /** The leader Lease once a running operator pod holds it. */
    private Lease awaitLeaseHolder() {
        Instant deadline = Instant.now().plus(READY_TIMEOUT);
        Lease lease = null;
        while (Instant.now().isBefore(deadline)) {
            lease = client().leases()
                    .inNamespace(RELEASE_NAMESPACE)
                    .withName(LEASE)
                    .get();
            List<String> running =
                    operatorPods().stream().map(p -> p.getMetadata().getName()).toList();
            if (lease != null
                    && lease.getSpec().getHolderIdentity() != null
                    && running.contains(lease.getSpec().getHolderIdentity())) {
                return lease;
            }
            sleep(Duration.ofMillis(500));
        }
        throw new AssertionError("no running operator pod holds Lease " + RELEASE_NAMESPACE + "/" + LEASE + ": " + lease
                + "\noperator logs:\n" + operatorLogs());
    }

    /** The artifact URL with its host (the Service's DNS name, which nothing here resolves) replaced by the ClusterIP. */
    private URI atServiceIp(String url) {
        URI uri = URI.create(url);
        return serviceUrl.resolve(uri.getRawPath());
    }

    /** A Ready operator pod other than {@code killed}, once the killed one is gone. */
    private Pod awaitReadyReplacementOf(String killed) {
        Instant deadline = Instant.now().plus(READY_TIMEOUT);
        while (Instant.now().isBefore(deadline)) {
            List<Pod> pods = client().pods()
                    .inNamespace(RELEASE_NAMESPACE)
                    .withLabel(INSTANCE_LABEL, RELEASE)
                    .list()
                    .getItems();
            boolean killedGone =
                    pods.stream().noneMatch(p -> p.getMetadata().getName().equals(killed));
            List<Pod> ready = pods.stream()
                    .filter(p -> !p.getMetadata().getName().equals(killed))
                    .filter(p -> p.getMetadata().getDeletionTimestamp() == null
                            && p.getStatus() != null
                            && p.getStatus().getConditions() != null
                            && p.getStatus().getConditions().stream()
                                    .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus())))
                    .toList();
            if (killedGone && !ready.isEmpty()) {
                return ready.get(0);
            }
            sleep(Duration.ofMillis(500));
        }
        throw new AssertionError("no Ready replacement for the killed operator pod " + killed + " within "
                + READY_TIMEOUT + "\noperator logs:\n" + operatorLogs());
    }

    /** GETs until a 200 (a Service's endpoints follow a new pod's readiness with a short delay). */
    private HttpResponse<byte[]> getBytesEventually(URI url) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        RuntimeException failure = null;
        while (Instant.now().isBefore(deadline)) {
            try {
                HttpResponse<byte[]> response = getBytes(url);
                if (response.statusCode() == 200) {
                    return response;
                }
                failure = new IllegalStateException("GET " + url + ": HTTP " + response.statusCode());
            } catch (UncheckedIOException e) {
                failure = e;
            }
            sleep(Duration.ofMillis(500));
        }
        throw failure != null ? failure : new IllegalStateException("GET " + url + " never answered");
    }

    private HttpResponse<byte[]> getBytes(URI url) {
        try {
            java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder()
                    .connectTimeout(Duration.ofSeconds(5))
                    .build();
            return http.send(
                    java.net.http.HttpRequest.newBuilder(url)
                            .timeout(Duration.ofSeconds(20))
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException("GET " + url, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The {@code /proc/<pid>/status} fields of the pod's operator container process, read on the node. */
    private Map<String, String> procStatus(Pod pod) {
        long pid = node().containerPid(
                        pod.getStatus().getContainerStatuses().get(0).getContainerID());
        try {
            Map<String, String> fields = new java.util.HashMap<>();
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    fields.put(
                            line.substring(0, colon), line.substring(colon + 1).strip());
                }
            }
            return fields;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the status of process " + pid, e);
        }
    }

    /**
     * Prints the operator process's resident memory now (VmRSS) and at its peak so far (VmHWM), for
     * docs/benchmarks.md, and checks that the peak stays under the container's memory limit.
     */
    private void reportMemory(String when, Pod pod) {
        Map<String, String> status = procStatus(pod);
        long rssKib = Long.parseLong(status.get("VmRSS").replace(" kB", "").strip());
        long peakKib = Long.parseLong(status.get("VmHWM").replace(" kB", "").strip());
        System.out.printf(
                "E2E memory [%s] %s: pod %s RSS %d MiB, peak RSS %d MiB, limit %d MiB%n",
                major,
                when,
                pod.getMetadata().getName(),
                rssKib / 1024,
                peakKib / 1024,
                MEMORY_LIMIT_BYTES / 1024 / 1024);
        assertThat(peakKib * 1024).as("peak RSS of the operator process").isLessThan(MEMORY_LIMIT_BYTES);
    }

    private String operatorLogs() {
        return node().kubectl(
                        "logs",
                        "-n",
                        RELEASE_NAMESPACE,
                        "-l",
                        INSTANCE_LABEL + "=" + RELEASE,
                        "--tail",
                        "60",
                        "--all-containers",
                        "--prefix")
                .stdout();
    }

    /**
     * Runs helm of this class's major in its isolated home, with {@code KUBECONFIG} pointing at the
     * cluster (as a user's shell has it), so the commands stay exactly what the README shows.
     */
    private ProcessRunner.Result helm(List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(major.executable().toString());
        command.addAll(args);
        Map<String, String> env = new java.util.HashMap<>(helmCli.environment());
        env.put("KUBECONFIG", node().kubeconfig().toString());
        return ProcessRunner.run(command, env, helmCli.home(), null, HELM_TIMEOUT);
    }

    private Path helmPackage(Path chartDir) {
        Path out = work.resolve("packages");
        helm(List.of("package", chartDir.toAbsolutePath().toString(), "--destination", out.toString()))
                .orThrow();
        String version = chartVersion(chartDir);
        String name = chartDir.getFileName().toString();
        return out.resolve(name + "-" + version + ".tgz");
    }

    private static String chartVersion(Path chartDir) {
        try {
            Matcher m = CHART_VERSION.matcher(Files.readString(chartDir.resolve("Chart.yaml")));
            if (!m.find()) {
                throw new IllegalStateException("no version in " + chartDir.resolve("Chart.yaml"));
            }
            return m.group(1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Uninstalls a release an earlier (failed) run left and deletes its namespace, so every run starts clean. */
    private void removeEarlierInstall() {
        if (client().namespaces().withName(RELEASE_NAMESPACE).get() == null) {
            return;
        }
        helm(List.of("uninstall", RELEASE, "--namespace", RELEASE_NAMESPACE, "--wait", "--timeout", "3m"));
        client().namespaces().withName(RELEASE_NAMESPACE).delete();
        client().namespaces().withName(RELEASE_NAMESPACE).waitUntilCondition(n -> n == null, 3, TimeUnit.MINUTES);
    }

    static String sha256(byte[] bytes) {
        try {
            return "sha256:"
                    + HexFormat.of()
                            .formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static void requireThat(boolean present, String message) {
        if (present) {
            return;
        }
        if (Tools.isCi()) {
            throw new IllegalStateException(message);
        }
        Assumptions.abort(message);
    }
}
