package io.helmoci.operator;

import static io.helmoci.operator.HelmOciChartAssert.assertNoRegistryRequestsFor;
import static io.helmoci.operator.HelmOciChartAssert.conditionStatus;
import static io.helmoci.operator.HelmOciChartAssert.readyMessage;
import static io.helmoci.operator.HelmOciChartAssert.readyReason;
import static io.helmoci.operator.HelmOciChartAssert.sha256;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.helmoci.operator.api.v1alpha1.HelmOciChart;
import io.helmoci.operator.api.v1alpha1.HelmOciChartStatus;
import io.helmoci.testbed.ChartFactory;
import io.helmoci.testbed.ChartSpec;
import io.helmoci.testbed.HelmCli;
import io.helmoci.testbed.HelmMajor;
import io.helmoci.testbed.KubeApiServerFixture;
import io.helmoci.testbed.OperatorProcess;
import io.helmoci.testbed.OrasCli;
import io.helmoci.testbed.ProcessRunner;
import io.helmoci.testbed.RawRegistryClient;
import io.helmoci.testbed.RegistryExtension;
import io.helmoci.testbed.RegistryFixture;
import io.helmoci.testbed.RegistryImplementation;
import io.helmoci.testbed.TokenServer;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator end to end: the packaged app as a process, a real kube-apiserver, a real registry
 * with charts pushed by the real helm, resources applied and awaited with the real kubectl.
 */
class HelmOciChartIT {
    static final Duration RETENTION = Duration.ofSeconds(6);
    static final String TOKEN_USER = "token-robot";
    static final String TOKEN_PASSWORD = "t0ken-Pw-4k";

    @RegisterExtension
    static RegistryExtension registry =
            RegistryFixture.builder(RegistryImplementation.DISTRIBUTION_V3).extension();

    @TempDir
    static Path work;

    static KubeApiServerFixture kube;
    static HelmCli helm;
    static OperatorProcess operator;
    static HelmCli.Pushed newest;
    static ChartFactory charts;
    static HelmOciChartAssert hoc;

    /** Basic auth over TLS with the test CA: credentials from Secrets, the CA from certSecretRef. */
    @RegisterExtension
    static RegistryExtension privateRegistry = RegistryFixture.builder(RegistryImplementation.DISTRIBUTION_V3)
            .htpasswd()
            .user("robot", "s3cret-Zq9")
            .user("cfg-reader", "cfg-Pw-71")
            .user("basic-reader", "basic-Pw-72")
            .extension();

    /** Bearer tokens from a token server that gives none without credentials (a private Harbor or GHCR repository). */
    @RegisterExtension
    static RegistryExtension tokenRegistry = RegistryFixture.builder(RegistryImplementation.DISTRIBUTION_V3)
            .tokenAuth(tokens -> tokens.anonymousPull(false))
            .user(TOKEN_USER, TOKEN_PASSWORD)
            .extension();

    @BeforeAll
    static void startOperator() {
        kube = KubeApiServerFixture.shared();
        kube.applyProjectCrds();
        helm = new HelmCli(work.resolve("helm"));
        charts = new ChartFactory(helm, work.resolve("charts"));
        helm.push(registry, charts.create("demo", "1.0.0"), "charts");
        newest = helm.push(registry, charts.create("demo", "1.1.0"), "charts");
        helm.push(registry, charts.create("demo", "2.0.0-rc.1"), "charts");
        operator = OperatorProcess.start(
                kube.kubeconfig(),
                work.resolve("operator"),
                Map.of(
                        // Quick retries so failure and recovery tests take seconds.
                        "quarkus.operator-sdk.controllers.helm-oci-operator.retry.interval.initial", "500",
                        "quarkus.operator-sdk.controllers.helm-oci-operator.retry.interval.max", "3000",
                        // Superseded artifacts are kept this long: long enough to see them served, short enough to see
                        // them go.
                        "helmoci.artifacts.retention", RETENTION.toSeconds() + "s"));
        hoc = new HelmOciChartAssert(kube, operator);
        charts = new ChartFactory(helm, work.resolve("charts"));
    }

    @AfterAll
    static void stopOperator() {
        if (operator != null) {
            operator.close();
        }
    }

    @Test
    void appliedResourceBecomesReadyAndServesItsVerifiedArtifact() throws Exception {
        String namespace = kube.createNamespace("ready");
        apply(namespace, """
                apiVersion: helmoci.io/v1alpha1
                kind: HelmOciChart
                metadata:
                  name: demo
                spec:
                  url: %s
                  version: "^1.0.0"
                  insecure: true
                """.formatted(registry.ociUrl("charts/demo")));

        hoc.awaitReady(namespace, "demo");

        HelmOciChartStatus status = kube.client()
                .resources(HelmOciChart.class)
                .inNamespace(namespace)
                .withName("demo")
                .get()
                .getStatus();
        assertThat(status.getResolvedVersion()).isEqualTo("1.1.0");
        assertThat(status.getTag()).isEqualTo("1.1.0");
        assertThat(status.getManifestDigest()).isEqualTo(newest.digest());
        assertThat(status.getResolvedRef()).isEqualTo(registry.ociUrl("charts/demo") + "@" + newest.digest());
        assertThat(status.getShortDigest()).isEqualTo(newest.digest().substring(7, 19));
        assertThat(status.getManifestDigest())
                .as("the registry's own digest for the tag")
                .isEqualTo(RawRegistryClient.anonymous(registry).headManifestDigest("charts/demo", "1.1.0"));
        assertThat(status.getObservedGeneration()).isEqualTo(1L);
        assertThat(status.getConditions()).singleElement().satisfies(ready -> {
            assertThat(ready.getType()).isEqualTo(Constants.CONDITION_READY);
            assertThat(ready.getStatus()).isEqualTo("True");
            assertThat(ready.getReason()).isEqualTo(ConditionReasons.SUCCEEDED);
            assertThat(ready.getMessage()).contains("demo 1.1.0");
            assertThat(ready.getObservedGeneration()).isEqualTo(1L);
            assertThat(ready.getLastTransitionTime()).isNotBlank();
        });
        assertThat(status.getChart().getName()).isEqualTo("demo");
        assertThat(status.getChart().getVersion()).isEqualTo("1.1.0");
        assertThat(status.getChart().getApiVersion()).isEqualTo("v2");
        assertThat(status.getChart().getType()).isEqualTo("application");
        assertThat(status.getChart().getAppVersion()).isNotBlank();
        assertThat(status.getChart().getDescription()).isNotBlank();
        assertThat(status.getArtifact().getLastUpdateTime()).isNotBlank();
        assertThat(status.getAvailableVersions()).contains("1.1.0", "1.0.0");
        assertThat(status.getLastCheckedTime()).isNotBlank();
        assertThat(status.getArtifact().getUrl())
                .isEqualTo(operator.baseUrl() + "/artifacts/" + namespace + "/demo/demo-1.1.0.tgz");

        HttpResponse<byte[]> download = operator.get(status.getArtifact().getUrl());
        assertThat(download.statusCode()).isEqualTo(200);
        String sha256 = sha256(download.body());
        assertThat(sha256)
                .isEqualTo(status.getContentDigest())
                .isEqualTo(status.getArtifact().getDigest());
        assertThat(download.headers().firstValue("X-Content-Digest")).hasValue(sha256);
        assertThat((long) download.body().length).isEqualTo(status.getArtifact().getSize());
        assertThat(download.headers().firstValue("Accept-Ranges")).hasValue("bytes");
        String etag = download.headers().firstValue("ETag").orElseThrow();
        for (String ifNoneMatch : List.of(etag, "W/" + etag, "\"other\", " + etag, "*")) {
            assertThat(operator.get(status.getArtifact().getUrl(), Map.of("If-None-Match", ifNoneMatch))
                            .statusCode())
                    .as(ifNoneMatch)
                    .isEqualTo(304);
        }
        HttpResponse<byte[]> part = operator.get(status.getArtifact().getUrl(), Map.of("Range", "bytes=10-19"));
        assertThat(part.statusCode()).isEqualTo(206);
        assertThat(part.body()).isEqualTo(java.util.Arrays.copyOfRange(download.body(), 10, 20));
        assertThat(part.headers().firstValue("Content-Range")).hasValue("bytes 10-19/" + download.body().length);
        assertThat(operator.get(status.getArtifact().getUrl(), Map.of("Range", "bytes=" + download.body().length + "-"))
                        .statusCode())
                .isEqualTo(416);

        JsonNode index = new ObjectMapper(new YAMLFactory())
                .readTree(operator.get("/charts/" + namespace + "/index.yaml").body());
        assertThat(index.path("apiVersion").asText()).isEqualTo("v1");
        JsonNode entry = index.path("entries").path("demo").get(0);
        assertThat(entry.path("version").asText()).isEqualTo("1.1.0");
        assertThat(entry.path("digest").asText()).isEqualTo(sha256.substring(7));
        assertThat(entry.path("urls").get(0).asText())
                .isEqualTo(status.getArtifact().getUrl());

        ProcessRunner.Result table = kube.kubectl("get", "hoc", "-n", namespace).orThrow();
        assertThat(table.stdout())
                .contains(
                        "URL",
                        "VERSION",
                        "DIGEST",
                        "READY",
                        "STATUS",
                        "AGE",
                        registry.ociUrl("charts/demo"),
                        "1.1.0",
                        newest.digest().substring(7, 19),
                        "True",
                        "Serving demo 1.1.0");

        for (HelmMajor major : HelmMajor.values()) {
            helmConsumesWhatTheOperatorPublishes(major, namespace, status);
        }

        String metrics = new String(operator.get("/q/metrics").body());
        assertThat(metrics)
                .contains(
                        "helmoci_reconcile_duration_seconds_count{result=\"Succeeded\"}",
                        "helmoci_registry_operations_total{operation=\"resolve\",registry=\"" + registry.host()
                                + "\",result=\"ok\"}",
                        "helmoci_registry_http_requests_total{registry=\"" + registry.host() + "\",result=\"2xx\"}",
                        "helmoci_pulled_bytes_total{registry=\"" + registry.host() + "\"}",
                        "helmoci_artifacts_stored");
        assertThat(metrics.lines().filter(line -> line.startsWith("helmoci_registry_http_requests_total{")))
                .as("labelled by registry and result only, never by path")
                .isNotEmpty()
                .allMatch(line -> line.matches(
                        "helmoci_registry_http_requests_total\\{registry=\"[^\"/]+\",result=\"[0-9a-z_]+\"} [0-9.E]+"));
    }

    @Test
    void aNewResourceIsResolvedOnceNotAgainForItsOwnFinalizer() throws Exception {
        String namespace = kube.createNamespace("once");
        helm.push(registry, charts.create("once", "1.0.0"), "charts");
        registry.resetRequests();
        apply(namespace, """
                apiVersion: helmoci.io/v1alpha1
                kind: HelmOciChart
                metadata: {name: once}
                spec: {url: "%s", version: "^1.0.0", interval: 1h, insecure: true}
                """.formatted(registry.ociUrl("charts/once")));
        hoc.awaitReady(namespace, "once");
        assertNoRegistryRequestsFor(
                Duration.ofSeconds(2),
                registry,
                r -> r.path().startsWith("/v2/charts/once/"),
                "no second reconciliation for the finalizer or the status write");

        // One reconciliation, not a second one for the finalizer it adds: one tag list and one HEAD by
        // tag to resolve; the pull fetches the resolved chart layer itself, with no second manifest HEAD.
        assertThat(registry.requests())
                .as("manifest and tag-list requests for a new resource")
                .filteredOn(r -> r.path().startsWith("/v2/charts/once/")
                        && (r.path().endsWith("/tags/list") || r.method().equals("HEAD")))
                .extracting(r -> r.method() + " " + r.path().replaceFirst("sha256:[0-9a-f]{64}", "<digest>"))
                .containsExactlyInAnyOrder("GET /v2/charts/once/tags/list", "HEAD /v2/charts/once/manifests/1.0.0");
        assertThat(registry.requests())
                .as("the chart layer, once")
                .filteredOn(r -> r.path().startsWith("/v2/charts/once/blobs/"))
                .hasSize(2); // the config blob to resolve, the chart layer to pull
    }

    @Test
    void aReplicaThatLacksTheArchiveFetchesItAgainByDigest() throws Exception {
        String namespace = kube.createNamespace("refetch");
        helm.push(registry, charts.create("refetched", "1.0.0"), "charts");
        apply(namespace, """
                apiVersion: helmoci.io/v1alpha1
                kind: HelmOciChart
                metadata: {name: refetched}
                spec: {url: "%s", interval: 1h, insecure: true}
                """.formatted(registry.ociUrl("charts/refetched")));
        hoc.awaitReady(namespace, "refetched");
        HelmOciChartStatus status = hoc.get(namespace, "refetched").getStatus();
        registry.resetRequests();
        assertNoRegistryRequestsFor(
                Duration.ofSeconds(3),
                registry,
                r -> r.path().contains("refetched"),
                "the operator's own status writes trigger no reconciliation");
        Path stored = work.resolve("operator/store/blobs/sha256")
                .resolve(status.getContentDigest().substring(7));
        Files.delete(stored);
        registry.resetRequests();

        HttpResponse<byte[]> served = operator.get(status.getArtifact().getUrl());

        assertThat(served.statusCode()).isEqualTo(200);
        assertThat(sha256(served.body())).isEqualTo(status.getContentDigest());
        assertThat(registry.requests())
                .as("exactly the published archive, by its digest; no manifest asked again")
                .filteredOn(r -> r.path().contains("refetched"))
                .extracting(r -> r.method() + " " + r.path())
                .containsExactly("GET /v2/charts/refetched/blobs/" + status.getContentDigest());
        assertThat(stored).exists();
    }

    @Test
    void aSecondReplicaIsReadyWithoutLeadingAndServesArtifactsToo() throws Exception {
        String namespace = kube.createNamespace("replicas");
        helm.push(registry, charts.create("replicated", "1.0.0"), "charts");
        apply(namespace, """
                apiVersion: helmoci.io/v1alpha1
                kind: HelmOciChart
                metadata: {name: replicated}
                spec: {url: "%s", interval: 1h, insecure: true}
                """.formatted(registry.ociUrl("charts/replicated")));
        hoc.awaitReady(namespace, "replicated");
        HelmOciChartStatus status = hoc.get(namespace, "replicated").getStatus();
        String leader = leaseHolder();

        try (OperatorProcess follower = OperatorProcess.start(kube.kubeconfig(), work.resolve("follower"), Map.of())) {
            HttpResponse<byte[]> served = follower.get("/artifacts/" + namespace + "/replicated/replicated-1.0.0.tgz");

            assertThat(served.statusCode()).isEqualTo(200);
            assertThat(sha256(served.body())).isEqualTo(status.getContentDigest());
            assertThat(follower.get("/charts/" + namespace + "/index.yaml").body())
                    .asString()
                    .contains("replicated-1.0.0.tgz");
            assertThat(leaseHolder()).as("the first replica keeps leading").isEqualTo(leader);
        }
    }

    private static String leaseHolder() {
        return kube.client()
                .leases()
                .inNamespace("default")
                .withName("helm-oci-operator-leader")
                .get()
                .getSpec()
                .getHolderIdentity();
    }

    @Test
    void serviceAccountImagePullSecretsAreUsedAsTheKubeletWould() {
        String namespace = kube.createNamespace("sa");
        HelmCli privateHelm = new HelmCli(work.resolve("helm-sa"));
        privateHelm.login(privateRegistry, "robot", "s3cret-Zq9");
        privateHelm.push(privateRegistry, charts.create("via-sa", "1.0.0"), "team");
        kube.kubectl(
                        "create",
                        "secret",
                        "generic",
                        "registry-ca",
                        "-n",
                        namespace,
                        "--from-file=ca.crt=" + privateRegistry.caFile())
                .orThrow();
        kube.kubectl(
                        "create",
                        "secret",
                        "docker-registry",
                        "pull",
                        "-n",
                        namespace,
                        "--docker-server=" + privateRegistry.host(),
                        "--docker-username=robot",
                        "--docker-password=s3cret-Zq9")
                .orThrow();
        kube.kubectl("create", "serviceaccount", "puller", "-n", namespace).orThrow();
        kube.kubectl(
                        "patch",
                        "serviceaccount",
                        "puller",
                        "-n",
                        namespace,
                        "-p",
                        "{\"imagePullSecrets\":[{\"name\":\"pull\"}]}")
                .orThrow();
        apply(namespace, """
                apiVersion: helmoci.io/v1alpha1
                kind: HelmOciChart
                metadata: {name: via-sa}
                spec:
                  url: "%s"
                  serviceAccountName: puller
                  certSecretRef: {name: registry-ca}
                """.formatted(privateRegistry.ociUrl("team/via-sa")));

        hoc.awaitReady(namespace, "via-sa");
    }

    /**
     * Each Secret type and a ServiceAccount's imagePullSecrets, against htpasswd Basic auth and a
     * token server that issues tokens only for credentials. (A dockerconfigjson Secret and
     * imagePullSecrets against Basic auth are covered above.) Every way has its own user, so a
     * resource can only be Ready through its own Secret.
     */
    @Test
    void everySecretTypeAndImagePullSecretsAuthenticateAgainstBasicAndTokenRegistries() {
        String namespace = kube.createNamespace("secret-types");
        HelmCli pusher = new HelmCli(work.resolve("helm-secret-types"));
        pusher.login(privateRegistry, "robot", "s3cret-Zq9");
        pusher.push(privateRegistry, charts.create("typed", "1.0.0"), "team");
        pusher.login(tokenRegistry, TOKEN_USER, TOKEN_PASSWORD);
        pusher.push(tokenRegistry, charts.create("typed", "1.0.0"), "team");
        String[] tokenUsers = {"json-reader", "cfg-reader", "basic-reader", "sa-reader"};
        for (String user : tokenUsers) {
            tokenRegistry.tokenServer().user(user, user + "-Pw-9", "pull");
        }
        tokenRegistry.tokenServer().resetRequests();
        kube.kubectl(
                        "create",
                        "secret",
                        "generic",
                        "registry-ca",
                        "-n",
                        namespace,
                        "--from-file=ca.crt=" + privateRegistry.caFile())
                .orThrow();

        String basicHost = privateRegistry.host();
        String tokenHost = tokenRegistry.host();
        dockercfgSecret(namespace, "basic-cfg", basicHost, "cfg-reader", "cfg-Pw-71");
        basicAuthSecret(namespace, "basic-basic", "basic-reader", "basic-Pw-72");
        kube.kubectl(
                        "create",
                        "secret",
                        "docker-registry",
                        "token-json",
                        "-n",
                        namespace,
                        "--docker-server=" + tokenHost,
                        "--docker-username=json-reader",
                        "--docker-password=json-reader-Pw-9")
                .orThrow();
        dockercfgSecret(namespace, "token-cfg", tokenHost, "cfg-reader", "cfg-reader-Pw-9");
        basicAuthSecret(namespace, "token-basic", "basic-reader", "basic-reader-Pw-9");
        kube.kubectl(
                        "create",
                        "secret",
                        "docker-registry",
                        "token-pull",
                        "-n",
                        namespace,
                        "--docker-server=" + tokenHost,
                        "--docker-username=sa-reader",
                        "--docker-password=sa-reader-Pw-9")
                .orThrow();
        kube.kubectl("create", "serviceaccount", "token-puller", "-n", namespace)
                .orThrow();
        kube.kubectl(
                        "patch",
                        "serviceaccount",
                        "token-puller",
                        "-n",
                        namespace,
                        "-p",
                        "{\"imagePullSecrets\":[{\"name\":\"token-pull\"}]}")
                .orThrow();
        String basicUrl = privateRegistry.ociUrl("team/typed");
        String tokenUrl = tokenRegistry.ociUrl("team/typed");
        apply(namespace, """
                apiVersion: helmoci.io/v1alpha1
                kind: HelmOciChart
                metadata: {name: basic-dockercfg}
                spec: {url: "%1$s", secretRef: {name: basic-cfg}, certSecretRef: {name: registry-ca}}
                ---
                apiVersion: helmoci.io/v1alpha1
                kind: HelmOciChart
                metadata: {name: basic-basic-auth}
                spec: {url: "%1$s", secretRef: {name: basic-basic}, certSecretRef: {name: registry-ca}}
                ---
                apiVersion: helmoci.io/v1alpha1
                kind: HelmOciChart
                metadata: {name: token-dockerconfigjson}
                spec: {url: "%2$s", secretRef: {name: token-json}, certSecretRef: {name: registry-ca}}
                ---
                apiVersion: helmoci.io/v1alpha1
                kind: HelmOciChart
                metadata: {name: token-dockercfg}
                spec: {url: "%2$s", secretRef: {name: token-cfg}, certSecretRef: {name: registry-ca}}
                ---
                apiVersion: helmoci.io/v1alpha1
                kind: HelmOciChart
                metadata: {name: token-basic-auth}
                spec: {url: "%2$s", secretRef: {name: token-basic}, certSecretRef: {name: registry-ca}}
                ---
                apiVersion: helmoci.io/v1alpha1
                kind: HelmOciChart
                metadata: {name: token-service-account}
                spec: {url: "%2$s", serviceAccountName: token-puller, certSecretRef: {name: registry-ca}}
                ---
                apiVersion: helmoci.io/v1alpha1
                kind: HelmOciChart
                metadata: {name: token-anonymous}
                spec: {url: "%2$s", certSecretRef: {name: registry-ca}}
                """.formatted(basicUrl, tokenUrl));

        for (String name : List.of(
                "basic-dockercfg",
                "basic-basic-auth",
                "token-dockerconfigjson",
                "token-dockercfg",
                "token-basic-auth",
                "token-service-account")) {
            hoc.awaitReady(namespace, name);
        }
        hoc.await(
                namespace,
                "token-anonymous",
                c -> "Unauthorized".equals(readyReason(c)),
                "the control: no credentials, no token");
        assertThat(tokenRegistry.tokenServer().requests())
                .as("a token for each user's own credentials")
                .filteredOn(r -> r.status() == 200 && r.grant() != TokenServer.Grant.ANONYMOUS)
                .extracting(TokenServer.TokenRequest::username)
                .contains(tokenUsers);
        String metrics = new String(operator.get("/q/metrics").body());
        assertThat(metrics)
                .contains(
                        "helmoci_registry_http_requests_total{registry=\"" + tokenHost + "\",result=\"4xx\"}",
                        "helmoci_registry_http_requests_total{registry=\"" + tokenHost + "\",result=\"2xx\"}",
                        "helmoci_registry_http_requests_total{registry=\"" + basicHost + "\",result=\"2xx\"}");
        assertThat(operator.logs()).doesNotContain("cfg-Pw-71", "basic-Pw-72", "-reader-Pw-9");
    }

    @Test
    void aSecretOrServiceAccountOfTheSameNameInAnotherNamespaceIsNeverUsed() throws Exception {
        String own = kube.createNamespace("own");
        String other = kube.createNamespace("other");
        HelmCli pusher = new HelmCli(work.resolve("helm-elsewhere"));
        pusher.login(privateRegistry, "robot", "s3cret-Zq9");
        pusher.push(privateRegistry, charts.create("elsewhere", "1.0.0"), "team");
        for (String namespace : List.of(own, other)) {
            kube.kubectl(
                            "create",
                            "secret",
                            "generic",
                            "registry-ca",
                            "-n",
                            namespace,
                            "--from-file=ca.crt=" + privateRegistry.caFile())
                    .orThrow();
        }
        // Everything that would work, but in the other namespace.
        kube.kubectl(
                        "create",
                        "secret",
                        "docker-registry",
                        "shared-name",
                        "-n",
                        other,
                        "--docker-server=" + privateRegistry.host(),
                        "--docker-username=robot",
                        "--docker-password=s3cret-Zq9")
                .orThrow();
        kube.kubectl("create", "serviceaccount", "puller", "-n", other).orThrow();
        kube.kubectl(
                        "patch",
                        "serviceaccount",
                        "puller",
                        "-n",
                        other,
                        "-p",
                        "{\"imagePullSecrets\":[{\"name\":\"shared-name\"}]}")
                .orThrow();
        // In the resource's own namespace, a ServiceAccount naming a pull Secret that exists only in the other one.
        kube.kubectl("create", "serviceaccount", "own-puller", "-n", own).orThrow();
        kube.kubectl(
                        "patch",
                        "serviceaccount",
                        "own-puller",
                        "-n",
                        own,
                        "-p",
                        "{\"imagePullSecrets\":[{\"name\":\"shared-name\"}]}")
                .orThrow();
        privateRegistry.resetRequests();
        String url = privateRegistry.ociUrl("team/elsewhere");
        apply(own, """
                apiVersion: helmoci.io/v1alpha1
                kind: HelmOciChart
                metadata: {name: by-secret}
                spec: {url: "%1$s", secretRef: {name: shared-name}, certSecretRef: {name: registry-ca}}
                ---
                apiVersion: helmoci.io/v1alpha1
                kind: HelmOciChart
                metadata: {name: by-service-account}
                spec: {url: "%1$s", serviceAccountName: puller, certSecretRef: {name: registry-ca}}
                ---
                apiVersion: helmoci.io/v1alpha1
                kind: HelmOciChart
                metadata: {name: by-pull-secret}
                spec: {url: "%1$s", serviceAccountName: own-puller, certSecretRef: {name: registry-ca}}
                """.formatted(url));

        HelmOciChart bySecret = hoc.await(
                own, "by-secret", c -> ConditionReasons.SECRET_NOT_FOUND.equals(readyReason(c)), "SecretNotFound");
        assertThat(readyMessage(bySecret)).contains("shared-name", own, "never read from other namespaces");
        hoc.await(
                own,
                "by-service-account",
                c -> ConditionReasons.SERVICE_ACCOUNT_NOT_FOUND.equals(readyReason(c)),
                "ServiceAccountNotFound");
        // As the kubelet: a missing imagePullSecret is skipped (here the only one: the pull is anonymous) and named on
        // status.
        HelmOciChart byPullSecret =
                hoc.await(own, "by-pull-secret", c -> "Unauthorized".equals(readyReason(c)), "Unauthorized");
        assertThat(readyMessage(byPullSecret))
                .contains("shared-name", "own-puller", "skipped, as the kubelet skips them");
        for (String name : List.of("by-secret", "by-service-account", "by-pull-secret")) {
            assertThat(conditionStatus(hoc.get(own, name), Constants.CONDITION_READY))
                    .as(name)
                    .isEqualTo("False");
        }
        assertThat(privateRegistry.requests())
                .as("the other namespace's credentials are never sent: every request is refused")
                .filteredOn(r -> r.path().contains("elsewhere"))
                .allMatch(r -> r.status() == 401);

        // The control: the same Secret in the resource's own namespace is used at once.
        kube.kubectl(
                        "create",
                        "secret",
                        "docker-registry",
                        "shared-name",
                        "-n",
                        own,
                        "--docker-server=" + privateRegistry.host(),
                        "--docker-username=robot",
                        "--docker-password=s3cret-Zq9")
                .orThrow();
        hoc.awaitReady(own, "by-secret");
        hoc.awaitReady(own, "by-pull-secret");
        assertThat(conditionStatus(hoc.get(own, "by-service-account"), Constants.CONDITION_READY))
                .isEqualTo("False");
        // A missing pull Secret beside one that exists: the existing one is used, the missing one named on Ready.
        kube.kubectl(
                        "patch",
                        "serviceaccount",
                        "own-puller",
                        "-n",
                        own,
                        "-p",
                        "{\"imagePullSecrets\":[{\"name\":\"still-missing\"},{\"name\":\"shared-name\"}]}")
                .orThrow();
        HelmOciChart noted = hoc.await(
                own,
                "by-pull-secret",
                c -> "True".equals(conditionStatus(c, Constants.CONDITION_READY))
                        && readyMessage(c).contains("still-missing"),
                "Ready naming the missing pull Secret");
        assertThat(readyMessage(noted)).contains("skipped, as the kubelet skips them");
    }

    /**
     * After an upgrade the old archive stays served at its URL for the retention (a client may have
     * just read it), then it, its manifest and its config leave the store; a blob another resource
     * still serves stays.
     */
    @Test
    void anOldVersionIsServedForTheRetentionAfterAnUpgradeThenSweptWithItsBlobs() throws Exception {
        String namespace = kube.createNamespace("retention");
        helm.push(registry, charts.create("aging", "1.0.0"), "charts");
        apply(namespace, """
                apiVersion: helmoci.io/v1alpha1
                kind: HelmOciChart
                metadata: {name: upgrades}
                spec: {url: "%1$s", version: "1.x", interval: 1h, insecure: true}
                ---
                apiVersion: helmoci.io/v1alpha1
                kind: HelmOciChart
                metadata: {name: stays}
                spec: {url: "%1$s", version: "1.0.0", interval: 1h, insecure: true}
                """.formatted(registry.ociUrl("charts/aging")));
        hoc.awaitReady(namespace, "upgrades");
        hoc.awaitReady(namespace, "stays");
        HelmOciChartStatus v1 = hoc.get(namespace, "upgrades").getStatus();

        HelmCli.Pushed pushed11 = helm.push(registry, charts.create("aging", "1.1.0"), "charts");
        HelmOciChartStatus v11 = upgrade(namespace, "1.1.0");
        assertThat(sha256(operator.get(v1.getArtifact().getUrl()).body()))
                .as("1.0.0 right after the upgrade")
                .isEqualTo(v1.getContentDigest());
        assertThat(v11.getSupersededArtifacts()).singleElement().satisfies(old -> {
            assertThat(old.getUrl()).isEqualTo(v1.getArtifact().getUrl());
            assertThat(old.getDigest()).isEqualTo(v1.getContentDigest());
            assertThat(Instant.parse(old.getExpiryTime())).isAfter(Instant.now());
        });

        helm.push(registry, charts.create("aging", "1.2.0"), "charts");
        HelmOciChartStatus v12 = upgrade(namespace, "1.2.0");
        // The operator's own record of when 1.1.0 stops being served (superseded at + retention, to the second).
        Instant expiry = v12.getSupersededArtifacts().stream()
                .filter(a -> a.getUrl().equals(v11.getArtifact().getUrl()))
                .map(a -> Instant.parse(a.getExpiryTime()))
                .findFirst()
                .orElseThrow();
        HttpResponse<byte[]> old = operator.get(v11.getArtifact().getUrl());
        assertThat(old.statusCode()).as("1.1.0 right after the upgrade").isEqualTo(200);
        assertThat(sha256(old.body())).isEqualTo(v11.getContentDigest());
        Path archive11 = storedBlob(v11.getContentDigest());
        Path manifest11 = storedBlob(pushed11.digest());
        Path config11 = storedBlob(new ObjectMapper()
                .readTree(Files.readAllBytes(manifest11))
                .path("config")
                .path("digest")
                .asText());
        assertThat(List.of(archive11, manifest11, config11)).allMatch(Files::exists);

        Instant gone = hoc.awaitTrue(
                () -> operator.get(v11.getArtifact().getUrl()).statusCode() == 404, "1.1.0 to be no longer served");
        // Not removed before its expiry (the expiry is written to the second, hence the 1 s), whatever the machine's
        // load.
        assertThat(gone).as("served for the retention").isAfterOrEqualTo(expiry.minusSeconds(1));
        hoc.awaitTrue(
                () -> !Files.exists(archive11) && !Files.exists(manifest11) && !Files.exists(config11),
                "the sweep of 1.1.0's blobs");
        assertThat(operator.get(v1.getArtifact().getUrl()).statusCode()).isEqualTo(404);
        assertThat(sha256(operator.get(v12.getArtifact().getUrl()).body())).isEqualTo(v12.getContentDigest());
        HelmOciChartStatus stays = hoc.get(namespace, "stays").getStatus();
        assertThat(sha256(operator.get(stays.getArtifact().getUrl()).body()))
                .as("the blob 'stays' shares")
                .isEqualTo(v1.getContentDigest());
        assertThat(storedBlob(v1.getContentDigest())).exists();
        assertThat(storedBlob(v12.getContentDigest())).exists();
        assertThat(kube.kubectl("get", "events", "-n", namespace, "--field-selector", "reason=ArtifactRemoved")
                        .stdout())
                .contains("aging-1.1.0.tgz")
                .doesNotContain("aging-1.0.0.tgz");
    }

    private HelmOciChartStatus upgrade(String namespace, String version) {
        kube.kubectl(
                        "annotate",
                        "hoc/upgrades",
                        "-n",
                        namespace,
                        Constants.REQUESTED_AT_ANNOTATION + "=to-" + version,
                        "--overwrite")
                .orThrow();
        return hoc.await(
                        namespace,
                        "upgrades",
                        c -> version.equals(c.getStatus().getResolvedVersion())
                                && "True".equals(conditionStatus(c, Constants.CONDITION_READY)),
                        version)
                .getStatus();
    }

    private void dockercfgSecret(String namespace, String name, String host, String user, String password) {
        kube.kubectl(
                        "create",
                        "secret",
                        "generic",
                        name,
                        "-n",
                        namespace,
                        "--type=kubernetes.io/dockercfg",
                        "--from-literal=.dockercfg={\"" + host + "\":{\"username\":\"" + user + "\",\"password\":\""
                                + password + "\"}}")
                .orThrow();
    }

    private void basicAuthSecret(String namespace, String name, String user, String password) {
        kube.kubectl(
                        "create",
                        "secret",
                        "generic",
                        name,
                        "-n",
                        namespace,
                        "--type=kubernetes.io/basic-auth",
                        "--from-literal=username=" + user,
                        "--from-literal=password=" + password)
                .orThrow();
    }

    private static Path storedBlob(String digest) {
        return work.resolve("operator/store/blobs/sha256").resolve(digest.substring("sha256:".length()));
    }

    @Test
    void invalidSpecsAreRejectedByTheApiServerNamingTheField() throws Exception {
        String namespace = kube.createNamespace("invalid");
        ProcessRunner.Result badScheme = tryApply(namespace, """
                apiVersion: helmoci.io/v1alpha1
                kind: HelmOciChart
                metadata: {name: bad-url}
                spec: {url: "https://example.com/charts/demo"}
                """);
        assertThat(badScheme.exitCode()).isNotZero();
        assertThat(badScheme.stderr()).contains("spec.url", "must start with oci://");

        ProcessRunner.Result rangeWithPin = tryApply(namespace, """
                apiVersion: helmoci.io/v1alpha1
                kind: HelmOciChart
                metadata: {name: range-pin}
                spec:
                  url: oci://example.com/charts/demo
                  version: "^1.0.0"
                  digest: sha256:%s
                """.formatted("a".repeat(64)));
        assertThat(rangeWithPin.exitCode()).isNotZero();
        assertThat(rangeWithPin.stderr()).contains("spec.version", "cannot be combined with a digest pin");

        ProcessRunner.Result exactWithPin = tryApply(namespace, """
                apiVersion: helmoci.io/v1alpha1
                kind: HelmOciChart
                metadata: {name: exact-pin}
                spec:
                  url: oci://example.com/charts/demo
                  version: "1.0.0"
                  digest: sha256:%s
                  suspend: true
                """.formatted("a".repeat(64)));
        assertThat(exactWithPin.exitCode()).as(exactWithPin.stderr()).isZero();

        ProcessRunner.Result badDigest = tryApply(namespace, """
                apiVersion: helmoci.io/v1alpha1
                kind: HelmOciChart
                metadata: {name: bad-digest}
                spec: {url: "oci://example.com/charts/demo", digest: "sha256:XYZ"}
                """);
        assertThat(badDigest.stderr()).contains("spec.digest");

        ProcessRunner.Result badInterval = tryApply(namespace, """
                apiVersion: helmoci.io/v1alpha1
                kind: HelmOciChart
                metadata: {name: bad-interval}
                spec: {url: "oci://example.com/charts/demo", interval: "10 minutes"}
                """);
        assertThat(badInterval.stderr()).contains("spec.interval");

        ProcessRunner.Result badTimeout = tryApply(namespace, """
                apiVersion: helmoci.io/v1alpha1
                kind: HelmOciChart
                metadata: {name: bad-timeout}
                spec: {url: "oci://example.com/charts/demo", timeout: "-5s"}
                """);
        assertThat(badTimeout.exitCode()).isNotZero();
        assertThat(badTimeout.stderr()).contains("spec.timeout");

        // Below the documented minimum of 1s: rejected by the CRD's CEL rules, naming the field and the minimum.
        ProcessRunner.Result tinyInterval = tryApply(namespace, """
                apiVersion: helmoci.io/v1alpha1
                kind: HelmOciChart
                metadata: {name: tiny-interval}
                spec: {url: "oci://example.com/charts/demo", interval: "1ns"}
                """);
        assertThat(tinyInterval.exitCode()).isNotZero();
        assertThat(tinyInterval.stderr()).contains("spec.interval", "at least 1s");
        ProcessRunner.Result zeroTimeout = tryApply(namespace, """
                apiVersion: helmoci.io/v1alpha1
                kind: HelmOciChart
                metadata: {name: zero-timeout}
                spec: {url: "oci://example.com/charts/demo", timeout: "0s"}
                """);
        assertThat(zeroTimeout.exitCode()).isNotZero();
        assertThat(zeroTimeout.stderr()).contains("spec.timeout", "at least 1s");

        ProcessRunner.Result noUrl = tryApply(namespace, """
                apiVersion: helmoci.io/v1alpha1
                kind: HelmOciChart
                metadata: {name: no-url}
                spec: {version: "1.0.0"}
                """);
        assertThat(noUrl.exitCode()).isNotZero();
        assertThat(noUrl.stderr()).contains("spec.url", "Required value");

        ProcessRunner.Result tagInUrl = tryApply(namespace, """
                apiVersion: helmoci.io/v1alpha1
                kind: HelmOciChart
                metadata: {name: tag-in-url}
                spec: {url: "oci://example.com:5000/charts/demo:1.0.0"}
                """);
        assertThat(tagInUrl.stderr()).contains("spec.url", "must not carry a tag");
    }

    @Test
    void rangePicksUpANewerVersionAtOnceOnRequestAndAfterTheInterval() {
        String namespace = kube.createNamespace("range");
        helm.push(registry, charts.create("ranged", "1.0.0"), "charts");
        for (String[] resource : new String[][] {{"on-request", "1h"}, {"on-interval", "2s"}}) {
            apply(namespace, """
                    apiVersion: helmoci.io/v1alpha1
                    kind: HelmOciChart
                    metadata: {name: %s}
                    spec: {url: "%s", version: "1.x", interval: "%s", insecure: true}
                    """.formatted(resource[0], registry.ociUrl("charts/ranged"), resource[1]));
        }
        hoc.awaitReady(namespace, "on-request");
        hoc.awaitReady(namespace, "on-interval");

        helm.push(registry, charts.create("ranged", "1.2.0"), "charts");
        hoc.await(
                namespace,
                "on-interval",
                c -> "1.2.0".equals(c.getStatus().getResolvedVersion()),
                "the interval to pick up 1.2.0");
        assertThat(hoc.get(namespace, "on-request").getStatus().getResolvedVersion())
                .isEqualTo("1.0.0");

        kube.kubectl(
                        "annotate",
                        "hoc/on-request",
                        "-n",
                        namespace,
                        Constants.REQUESTED_AT_ANNOTATION + "=now-1",
                        "--overwrite")
                .orThrow();
        hoc.await(
                namespace,
                "on-request",
                c -> "now-1".equals(c.getStatus().getLastHandledReconcileAt())
                        && "1.2.0".equals(c.getStatus().getResolvedVersion()),
                "the requestedAt annotation to pick up 1.2.0");
    }

    @Test
    void movedTagIsReportedAndADigestPinKeepsServingThePinnedArtifact() throws Exception {
        String namespace = kube.createNamespace("moved");
        HelmCli.Pushed original =
                helm.push(registry, charts.create(ChartSpec.of("moved", "1.0.0").description("original")), "charts");
        String url = registry.ociUrl("charts/moved");
        apply(namespace, """
                apiVersion: helmoci.io/v1alpha1
                kind: HelmOciChart
                metadata: {name: follow}
                spec: {url: "%s", version: "1.0.0", interval: "2s", insecure: true}
                ---
                apiVersion: helmoci.io/v1alpha1
                kind: HelmOciChart
                metadata: {name: pinned}
                spec: {url: "%s", version: "1.0.0", digest: "%s", interval: "2s", insecure: true}
                """.formatted(url, url, original.digest()));
        hoc.awaitReady(namespace, "follow");
        hoc.awaitReady(namespace, "pinned");
        HelmOciChartStatus pinnedBefore = hoc.get(namespace, "pinned").getStatus();

        HelmCli.Pushed moved =
                helm.push(registry, charts.create(ChartSpec.of("moved", "1.0.0").description("re-pushed")), "charts");
        assertThat(moved.digest()).isNotEqualTo(original.digest());

        HelmOciChart follow = hoc.await(
                namespace, "follow", c -> moved.digest().equals(c.getStatus().getManifestDigest()), "the tag move");
        assertThat(follow.getStatus().getPreviousManifestDigest()).isEqualTo(original.digest());
        assertThat(kube.kubectl("get", "events", "-n", namespace, "--field-selector", "reason=TagMoved,type=Warning")
                        .stdout())
                .contains(original.digest(), moved.digest());

        HelmOciChart pinned =
                hoc.await(namespace, "pinned", c -> "DigestMismatch".equals(readyReason(c)), "DigestMismatch");
        assertThat(conditionStatus(pinned, Constants.CONDITION_STALLED)).isEqualTo("True");
        assertThat(pinned.getStatus().getManifestDigest()).isEqualTo(original.digest());
        HttpResponse<byte[]> served =
                operator.get(pinned.getStatus().getArtifact().getUrl());
        assertThat(served.statusCode()).isEqualTo(200);
        assertThat(sha256(served.body())).isEqualTo(pinnedBefore.getContentDigest());
    }

    @Test
    void wrongMediaTypesStallWithTheFixAndAnUnknownVersionListsTheAvailableOnes() {
        String namespace = kube.createNamespace("failures");
        Path chart = charts.create("generic", "1.0.0");
        new OrasCli(work.resolve("oras"))
                .push(
                        registry,
                        "charts/generic:1.0.0",
                        chart.getParent(),
                        List.of(),
                        chart.getFileName().toString())
                .orThrow();
        apply(namespace, """
                apiVersion: helmoci.io/v1alpha1
                kind: HelmOciChart
                metadata: {name: generic}
                spec: {url: "%s", version: "1.0.0", insecure: true}
                ---
                apiVersion: helmoci.io/v1alpha1
                kind: HelmOciChart
                metadata: {name: unknown-version}
                spec: {url: "%s", version: "9.9.9", insecure: true}
                """.formatted(registry.ociUrl("charts/generic"), registry.ociUrl("charts/demo")));

        HelmOciChart generic =
                hoc.await(namespace, "generic", c -> "NotAHelmChart".equals(readyReason(c)), "NotAHelmChart");
        assertThat(conditionStatus(generic, Constants.CONDITION_STALLED)).isEqualTo("True");
        assertThat(readyMessage(generic)).contains("helm push");

        HelmOciChart unknown = hoc.await(
                namespace, "unknown-version", c -> "VersionNotFound".equals(readyReason(c)), "VersionNotFound");
        assertThat(readyMessage(unknown)).contains("1.1.0", "1.0.0");
        assertThat(conditionStatus(unknown, Constants.CONDITION_STALLED))
                .as("a push of 9.9.9 fixes it")
                .isNull();
    }

    @Test
    void suspendedResourceMakesNoRegistryRequest() throws Exception {
        String namespace = kube.createNamespace("suspended");
        registry.resetRequests();
        apply(namespace, """
                apiVersion: helmoci.io/v1alpha1
                kind: HelmOciChart
                metadata: {name: suspended}
                spec: {url: "%s", suspend: true, interval: "1s", insecure: true}
                """.formatted(registry.ociUrl("charts/never-asked")));

        hoc.await(namespace, "suspended", c -> ConditionReasons.SUSPENDED.equals(readyReason(c)), "Suspended");
        assertNoRegistryRequestsFor(
                Duration.ofSeconds(3),
                registry,
                r -> r.path().contains("never-asked"),
                "a suspended resource asks nothing");
        assertThat(registry.requests()).noneMatch(r -> r.path().contains("never-asked"));
    }

    @Test
    void missingSecretRecoversWhenCreatedAndARotatedSecretIsUsedAtOnce() throws Exception {
        String namespace = kube.createNamespace("auth");
        HelmCli privateHelm = new HelmCli(work.resolve("helm-private"));
        privateHelm.login(privateRegistry, "robot", "s3cret-Zq9");
        privateHelm.push(privateRegistry, charts.create("private", "3.0.0"), "team");
        kube.kubectl(
                        "create",
                        "secret",
                        "generic",
                        "registry-ca",
                        "-n",
                        namespace,
                        "--from-file=ca.crt=" + privateRegistry.caFile())
                .orThrow();
        apply(namespace, """
                apiVersion: helmoci.io/v1alpha1
                kind: HelmOciChart
                metadata: {name: private}
                spec:
                  url: "%s"
                  interval: 1h
                  secretRef: {name: registry-credentials}
                  certSecretRef: {name: registry-ca}
                """.formatted(privateRegistry.ociUrl("team/private")));
        hoc.await(
                namespace, "private", c -> ConditionReasons.SECRET_NOT_FOUND.equals(readyReason(c)), "SecretNotFound");

        kube.kubectl(
                        "create",
                        "secret",
                        "docker-registry",
                        "registry-credentials",
                        "-n",
                        namespace,
                        "--docker-server=" + privateRegistry.host(),
                        "--docker-username=robot",
                        "--docker-password=s3cret-Zq9")
                .orThrow();
        hoc.awaitReady(namespace, "private");

        Path rotated = Files.writeString(
                work.resolve("rotated-" + namespace + ".yaml"), """
                apiVersion: v1
                kind: Secret
                metadata: {name: registry-credentials}
                type: kubernetes.io/dockerconfigjson
                stringData:
                  .dockerconfigjson: '{"auths":{"%s":{"username":"robot","password":"rotated-Wr0ng-7x"}}}'
                """.formatted(privateRegistry.host()));
        kube.kubectl("apply", "-n", namespace, "-f", rotated.toString()).orThrow();
        HelmOciChart rejected = hoc.await(
                namespace,
                "private",
                c -> "Unauthorized".equals(readyReason(c)),
                "the rotated (wrong) password to be used");
        assertThat(rejected.getStatus().getArtifact())
                .as("the last good artifact stays")
                .isNotNull();
        assertThat(kube.kubectl("get", "hoc", "private", "-n", namespace, "-o", "yaml")
                        .stdout())
                .doesNotContain("rotated-Wr0ng-7x", "s3cret-Zq9");
        assertThat(kube.kubectl("get", "events", "-n", namespace).stdout())
                .doesNotContain("rotated-Wr0ng-7x", "s3cret-Zq9");
        assertThat(operator.logs()).doesNotContain("rotated-Wr0ng-7x", "s3cret-Zq9");
    }

    @Test
    void unreachableRegistryIsRetriedWhileTheLastGoodArtifactIsServedThenRecovers() throws Exception {
        try (RegistryFixture flaky =
                RegistryFixture.builder(RegistryImplementation.DISTRIBUTION_V3).start()) {
            String namespace = kube.createNamespace("flaky");
            helm.push(flaky, charts.create("flaky", "1.0.0"), "charts");
            apply(namespace, """
                    apiVersion: helmoci.io/v1alpha1
                    kind: HelmOciChart
                    metadata: {name: flaky}
                    spec: {url: "%s", interval: "2s", timeout: "5s", insecure: true}
                    """.formatted(flaky.ociUrl("charts/flaky")));
            hoc.awaitReady(namespace, "flaky");
            HelmOciChartStatus good = hoc.get(namespace, "flaky").getStatus();

            flaky.stop();
            hoc.await(namespace, "flaky", c -> "RegistryUnavailable".equals(readyReason(c)), "RegistryUnavailable");
            Thread.sleep(RETENTION
                    .multipliedBy(2)
                    .toMillis()); // failing for longer than the retention: sweeps run meanwhile
            HttpResponse<byte[]> served = operator.get(good.getArtifact().getUrl());
            assertThat(served.statusCode()).isEqualTo(200);
            assertThat(sha256(served.body())).isEqualTo(good.getContentDigest());
            assertThat(storedBlob(good.getContentDigest()))
                    .as("a failed check never deletes the last good artifact")
                    .exists();
            assertThat(storedBlob(good.getManifestDigest())).exists();

            flaky.start();
            hoc.await(
                    namespace, "flaky", c -> "True".equals(conditionStatus(c, Constants.CONDITION_READY)), "recovery");
        }
    }

    @Test
    void deletingTheResourceRemovesItsArtifact() throws Exception {
        String namespace = kube.createNamespace("delete");
        helm.push(registry, charts.create("doomed", "1.0.0"), "charts");
        apply(namespace, """
                apiVersion: helmoci.io/v1alpha1
                kind: HelmOciChart
                metadata: {name: doomed}
                spec: {url: "%s", insecure: true}
                """.formatted(registry.ociUrl("charts/doomed")));
        hoc.awaitReady(namespace, "doomed");
        HelmOciChartStatus status = hoc.get(namespace, "doomed").getStatus();
        Path stored = work.resolve("operator/store/blobs/sha256")
                .resolve(status.getContentDigest().substring(7));
        assertThat(stored).exists();

        kube.kubectl("delete", "hoc/doomed", "-n", namespace, "--timeout=60s").orThrow();

        assertThat(stored).doesNotExist();
        assertThat(operator.get(status.getArtifact().getUrl()).statusCode()).isEqualTo(404);
    }

    /**
     * Helm (3 and 4) consumes what the operator publishes: the artifact URL, the namespace as a classic repository and
     * the resolved digest reference; each installs the chart's workload into the API server (objects only: no kubelet here).
     */
    private static void helmConsumesWhatTheOperatorPublishes(
            HelmMajor major, String namespace, HelmOciChartStatus status) {
        HelmCli consumer = new HelmCli(work.resolve("consumer-" + major), major);
        assertThat(consumer.run(List.of("template", "demo", status.getArtifact().getUrl()))
                        .orThrow()
                        .stdout())
                .as("%s template", major)
                .contains("kind: Deployment");
        consumer.run(List.of("repo", "add", namespace, operator.baseUrl() + "/charts/" + namespace))
                .orThrow();
        assertThat(consumer.run(List.of("search", "repo", namespace + "/demo"))
                        .orThrow()
                        .stdout())
                .as("%s search", major)
                .contains(namespace + "/demo", "1.1.0");
        List<List<String>> sources = List.of(
                List.of("url-" + major, status.getArtifact().getUrl()),
                List.of("repo-" + major, namespace + "/demo", "--version", "1.1.0"),
                List.of("digest-" + major, status.getResolvedRef(), "--plain-http"));
        for (List<String> source : sources) {
            List<String> install = new java.util.ArrayList<>(List.of(
                    "install",
                    "-n",
                    namespace,
                    "--kubeconfig",
                    kube.kubeconfig().toString()));
            install.addAll(source);
            consumer.run(install).orThrow();
            assertThat(kube.kubectl(
                                    "get",
                                    "deployment",
                                    source.get(0) + "-demo",
                                    "-n",
                                    namespace,
                                    "-o",
                                    "jsonpath={.metadata.labels}")
                            .orThrow()
                            .stdout())
                    .as("%s install %s", major, source)
                    .contains("\"helm.sh/chart\":\"demo-1.1.0\"");
        }
    }

    private static void waitReady(String namespace, String name) {
        ProcessRunner.Result wait =
                kube.kubectl("wait", "--for=condition=Ready", "hoc/" + name, "-n", namespace, "--timeout=60s");
        if (wait.exitCode() != 0) {
            ProcessRunner.Result yaml = kube.kubectl("get", "hoc", name, "-n", namespace, "-o", "yaml");
            throw operator.withLogAttached(new AssertionError("not Ready: " + wait.stderr() + "\n" + yaml.stdout()));
        }
    }

    private static void apply(String namespace, String yaml) {
        tryApply(namespace, yaml).orThrow();
    }

    private static ProcessRunner.Result tryApply(String namespace, String yaml) {
        try {
            Path file = Files.createTempFile(work, "resource", ".yaml");
            Files.writeString(file, yaml);
            return kube.kubectl("apply", "-n", namespace, "-f", file.toString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
