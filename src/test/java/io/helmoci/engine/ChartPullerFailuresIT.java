package io.helmoci.engine;

import static io.helmoci.engine.PullerTestbed.failure;
import static io.helmoci.engine.PullerTestbed.options;
import static io.helmoci.engine.PullerTestbed.ref;
import static io.helmoci.engine.PullerTestbed.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.helmoci.engine.chart.ChartLimits;
import io.helmoci.engine.reference.OciReference;
import io.helmoci.engine.registry.Credentials;
import io.helmoci.engine.registry.MediaTypes;
import io.helmoci.engine.registry.RegistryOptions;
import io.helmoci.engine.registry.RetryPolicy;
import io.helmoci.engine.registry.TransportOptions;
import io.helmoci.testbed.ChartFactory;
import io.helmoci.testbed.ChartSpec;
import io.helmoci.testbed.Descriptor;
import io.helmoci.testbed.HelmCli;
import io.helmoci.testbed.OciManifests;
import io.helmoci.testbed.OrasCli;
import io.helmoci.testbed.RawRegistryClient;
import io.helmoci.testbed.RawRegistryClient.ChartManifestStyle;
import io.helmoci.testbed.RegistryExtension;
import io.helmoci.testbed.RegistryFixture;
import io.helmoci.testbed.RegistryImplementation;
import io.helmoci.testbed.TokenServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * One test per reason code, each produced by a REAL registry response or a REAL malformed artifact
 * pushed to a real registry (distribution v3), except {@link Reason#Timeout}, which needs a server
 * that never answers (a loopback socket that accepts and stays silent).
 */
class ChartPullerFailuresIT {
    private static final String USER = "carol";
    private static final String PASSWORD = "pull-pass";

    @RegisterExtension
    static RegistryExtension registry =
            RegistryFixture.builder(RegistryImplementation.DISTRIBUTION_V3).extension();

    @RegisterExtension
    static RegistryExtension tokenRegistry = RegistryFixture.builder(RegistryImplementation.DISTRIBUTION_V3)
            .tokenAuth()
            .user(USER, PASSWORD)
            .extension();

    @TempDir
    static Path work;

    static Path chart;
    static HelmCli helm;
    static OrasCli oras;
    static RawRegistryClient raw;
    static String chartDigest;

    @TempDir
    Path store;

    ChartPuller puller;

    @BeforeAll
    static void pushCharts() {
        helm = new HelmCli(work.resolve("helm"));
        oras = new OrasCli(work.resolve("oras"));
        raw = RawRegistryClient.anonymous(registry);
        ChartFactory charts = new ChartFactory(helm, work);
        chart = charts.create(ChartSpec.of("webapp", "1.0.0"));
        for (String version : List.of("0.9.0", "1.0.0", "1.1.0", "2.0.0-rc.1")) {
            Path packaged = version.equals("1.0.0") ? chart : charts.create(ChartSpec.of("webapp", version));
            helm.push(registry, packaged, "charts");
        }
        chartDigest = "sha256:" + io.helmoci.testbed.Digests.sha256(chart).replaceFirst("^sha256:", "");
        helm.login(tokenRegistry, USER, PASSWORD);
        helm.push(tokenRegistry, chart, "private");
    }

    @BeforeEach
    void newPuller() {
        puller = new ChartPuller(store);
    }

    @org.junit.jupiter.api.AfterEach
    void closePuller() {
        puller.close();
    }

    private PullRequest anonymous(String repoPathAndTag) {
        return request(registry, repoPathAndTag, Credentials.anonymous());
    }

    // ---- the artifact is not a chart Helm can pull

    @Test
    void orasPushWithoutHelmMediaTypesIsNotAHelmChart() {
        oras.push(
                        registry,
                        "wrongtypes/webapp:1.0.0",
                        chart.getParent(),
                        List.of(),
                        chart.getFileName().toString())
                .orThrow();

        EngineException e = failure(Reason.NotAHelmChart, () -> puller.inspect(anonymous("wrongtypes/webapp:1.0.0")));

        assertThat(e.getMessage())
                .contains(
                        "config media type application/vnd.oci.empty.v1+json", "application/vnd.oci.image.layer.v1.tar")
                .contains("helm push webapp-1.0.0.tgz oci://" + registry.host() + "/wrongtypes")
                .contains("oras push " + registry.host() + "/wrongtypes/webapp:1.0.0 --config config.json:"
                        + MediaTypes.HELM_CONFIG + " webapp-1.0.0.tgz:" + MediaTypes.HELM_CHART);
    }

    @Test
    void helmConfigButWrongLayerTypeIsNotAHelmChart() throws IOException {
        Files.write(chart.getParent().resolve("config.json"), ChartFactory.helmConfigJson(chart));
        oras.push(
                        registry,
                        "wronglayer/webapp:1.0.0",
                        chart.getParent(),
                        List.of("--config", "config.json:" + MediaTypes.HELM_CONFIG),
                        chart.getFileName() + ":application/vnd.oci.image.layer.v1.tar+gzip")
                .orThrow();

        EngineException e = failure(Reason.NotAHelmChart, () -> puller.pull(anonymous("wronglayer/webapp:1.0.0")));

        assertThat(e.getMessage())
                .contains("no layer of type " + MediaTypes.HELM_CHART, "application/vnd.oci.image.layer.v1.tar+gzip");
    }

    @Test
    void aContainerImageIsNotAHelmChart() {
        raw.pushContainerImage("images/webapp", "1.0.0");

        EngineException e = failure(Reason.NotAHelmChart, () -> puller.inspect(anonymous("images/webapp:1.0.0")));

        assertThat(e.getMessage()).contains("container image", MediaTypes.OCI_IMAGE_CONFIG);
    }

    @Test
    void aDockerSchema2ManifestIsUnsupported() {
        raw.pushChart("docker2/webapp", "1.0.0", chart, ChartManifestStyle.DOCKER_SCHEMA2);

        EngineException e =
                failure(Reason.UnsupportedManifest, () -> puller.inspect(anonymous("docker2/webapp:1.0.0")));

        assertThat(e.getMessage()).contains("Docker schema 2", "helm push");
    }

    @Test
    void anIndexWithTwoChartsIsAmbiguous() {
        Descriptor first = raw.pushChart("twocharts/webapp", "a", chart, ChartManifestStyle.HELM);
        Descriptor second = raw.pushChart("twocharts/webapp", "b", chart, ChartManifestStyle.OCI_WITH_MEDIA_TYPE);
        raw.pushIndex("twocharts/webapp", "1.0.0", List.of(first, second));

        EngineException e = failure(Reason.AmbiguousIndex, () -> puller.inspect(anonymous("twocharts/webapp:1.0.0")));

        assertThat(e.getMessage()).contains(first.digest(), second.digest());
    }

    @Test
    void anIndexWithOneChartBesideAnImageResolvesToTheChart() throws IOException {
        Descriptor image = raw.pushContainerImage("mixed/webapp", "image").withPlatform("linux", "amd64");
        Descriptor chartManifest = raw.pushChart("mixed/webapp", "chart", chart, ChartManifestStyle.HELM);
        Descriptor index = raw.pushIndex("mixed/webapp", "1.0.0", List.of(image, chartManifest));

        PullResult result = puller.pull(anonymous("mixed/webapp:1.0.0"));

        assertThat(result.resolution().manifestDigest()).isEqualTo(index.digest());
        assertThat(result.resolution().manifestMediaType()).isEqualTo(MediaTypes.OCI_INDEX);
        assertThat(result.resolution().warnings()).singleElement().asString().contains(chartManifest.digest());
        assertThat(Files.readAllBytes(result.path())).isEqualTo(Files.readAllBytes(chart));
    }

    @Test
    void aLegacyChartLayerIsPulledWithAWarning() throws IOException {
        byte[] archive = Files.readAllBytes(chart);
        Descriptor config = raw.pushBlob("legacy/webapp", OciManifests.HELM_CONFIG, ChartFactory.helmConfigJson(chart));
        Descriptor layer = raw.pushBlob("legacy/webapp", OciManifests.HELM_LEGACY_CHART, archive);
        raw.pushManifest(
                "legacy/webapp",
                "1.0.0",
                OciManifests.OCI_MANIFEST,
                OciManifests.manifest(null, null, config, List.of(layer), Map.of()));

        PullResult result = puller.pull(anonymous("legacy/webapp:1.0.0"));

        assertThat(result.resolution().warnings())
                .singleElement()
                .asString()
                .contains("deprecated", "application/tar+gzip");
        assertThat(Files.readAllBytes(result.path())).isEqualTo(archive);
    }

    // ---- content that does not match what the manifest promises

    @Test
    void aTamperedBlobIsDigestMismatch() throws IOException {
        Descriptor manifest = raw.pushChart("tampered/webapp", "1.0.0", chart, ChartManifestStyle.HELM);
        Path blob = registry.blobFile(chartDigest);
        byte[] content = Files.readAllBytes(blob);
        content[content.length / 2] ^= 0x55;
        Files.write(blob, content);
        try {
            EngineException e = failure(Reason.DigestMismatch, () -> puller.pull(anonymous("tampered/webapp:1.0.0")));

            assertThat(e.getMessage()).contains(chartDigest);
            assertThat(manifest.digest()).isNotEqualTo(chartDigest);
            try (var files = Files.walk(store)) {
                assertThat(files.filter(Files::isRegularFile))
                        .noneMatch(p -> p.getFileName().toString().equals(chartDigest.substring(7)))
                        .noneMatch(p -> p.getFileName().toString().startsWith(".tmp-"));
            }
        } finally {
            content[content.length / 2] ^= 0x55;
            Files.write(blob, content);
        }
    }

    @Test
    void pullingTheResolvedChartLayerAsksForNoManifestAndStillVerifiesTheBytes() throws IOException {
        raw.pushChart("resolved/webapp", "1.0.0", chart, ChartManifestStyle.HELM);
        PullRequest request = anonymous("resolved/webapp:1.0.0");
        Resolution resolution = puller.inspect(request);
        Path blob = registry.blobFile(chartDigest);
        byte[] content = Files.readAllBytes(blob);
        content[content.length / 2] ^= 0x55;
        Files.write(blob, content);
        try {
            registry.resetRequests();
            failure(
                    Reason.DigestMismatch,
                    () -> puller.pullChartLayer(
                            request.reference(), resolution.chartLayer(), resolution.version(), request.options()));
            assertThat(registry.requests())
                    .as("the layer only, no manifest again")
                    .extracting(r -> r.method() + " " + r.path())
                    .containsOnly("GET /v2/resolved/webapp/blobs/" + chartDigest);
        } finally {
            content[content.length / 2] ^= 0x55;
            Files.write(blob, content);
        }

        ChartArchive archive = puller.pullChartLayer(
                request.reference(), resolution.chartLayer(), resolution.version(), request.options());
        assertThat(archive.contentDigest()).isEqualTo(chartDigest);
        assertThat(archive.chart().version()).isEqualTo("1.0.0");
        failure(
                Reason.ChartMismatch,
                () -> puller.pullChartLayer(request.reference(), resolution.chartLayer(), "1.1.0", request.options()));
    }

    @Test
    void aTruncatedBlobIsSizeMismatch() throws IOException {
        raw.pushChart("truncated/webapp", "1.0.0", chart, ChartManifestStyle.HELM);
        Path blob = registry.blobFile(chartDigest);
        byte[] content = Files.readAllBytes(blob);
        Files.write(blob, java.util.Arrays.copyOf(content, content.length - 100));
        try {
            failure(Reason.SizeMismatch, () -> puller.pull(anonymous("truncated/webapp:1.0.0")));
        } finally {
            Files.write(blob, content);
        }
    }

    @Test
    void aPinnedDigestTheTagNoLongerHasIsDigestMismatch() {
        String other = "sha256:" + "0".repeat(64);
        PullRequest pinned = new PullRequest(
                ref(registry, "charts/webapp:1.0.0"), null, other, false, options(registry, Credentials.anonymous()));

        EngineException e = failure(Reason.DigestMismatch, () -> puller.inspect(pinned));

        assertThat(e.getMessage()).contains(other, "1.0.0");
    }

    @Test
    void aDigestOnlyReferencePullsByDigest() throws IOException {
        String digest = raw.headManifestDigest("charts/webapp", "1.0.0");

        PullResult result = puller.pull(anonymous("charts/webapp@" + digest));

        assertThat(result.resolution().tag()).isNull();
        assertThat(result.resolution().version()).isEqualTo("1.0.0");
        assertThat(result.resolution().manifestDigest()).isEqualTo(digest);
        assertThat(Files.readAllBytes(result.path())).isEqualTo(Files.readAllBytes(chart));
    }

    // ---- archives helm would refuse

    @Test
    void parentDirectoryEntriesAreInvalidChart(@TempDir Path dir) {
        Path evil = CraftedCharts.withExtraFile(dir, "webapp", "1.0.0", "webapp/../../etc/evil");
        raw.pushChart("traversal/webapp", "1.0.0", evil, ChartManifestStyle.HELM);

        failure(Reason.InvalidChart, () -> puller.pull(anonymous("traversal/webapp:1.0.0")));
    }

    @Test
    void symlinkEntriesAreInvalidChart(@TempDir Path dir) {
        Path linked = CraftedCharts.withSymlink(dir, "webapp", "1.0.0", "/etc/passwd");
        raw.pushChart("symlink/webapp", "1.0.0", linked, ChartManifestStyle.HELM);

        failure(Reason.InvalidChart, () -> puller.pull(anonymous("symlink/webapp:1.0.0")));
    }

    @Test
    void aGzipBombIsChartTooLarge(@TempDir Path dir) throws IOException {
        Path bomb = CraftedCharts.gzipBomb(dir, "webapp", "1.0.0", 300L * 1024 * 1024);
        assertThat(Files.size(bomb)).isLessThan(1024 * 1024);
        raw.pushChart("bomb/webapp", "1.0.0", bomb, ChartManifestStyle.HELM);

        failure(Reason.ChartTooLarge, () -> puller.pull(anonymous("bomb/webapp:1.0.0")));
    }

    @Test
    void aChartNamedOtherThanItsRepositoryIsChartMismatch() {
        oras.pushHelmChart(registry, "renamed/notwebapp:1.0.0", chart).orThrow();

        EngineException e = failure(Reason.ChartMismatch, () -> puller.inspect(anonymous("renamed/notwebapp:1.0.0")));

        assertThat(e.getMessage()).contains("webapp", "notwebapp");
    }

    @Test
    void aLayerOverTheArchiveLimitIsChartTooLargeBeforeDownloading(@TempDir Path dir) {
        ChartLimits tiny = new ChartLimits(1024, 5 * 1024 * 1024, 100 * 1024 * 1024, 10_000);
        try (ChartPuller limited = new ChartPuller(dir, tiny)) {
            registry.resetRequests();
            EngineException e = failure(Reason.ChartTooLarge, () -> limited.pull(anonymous("charts/webapp:1.0.0")));

            assertThat(e.getMessage()).contains("limit of 1024 bytes");
            assertThat(registry.requests()).noneMatch(r -> r.path().contains("/blobs/" + chartDigest));
        }
    }

    // ---- versions and repositories

    @Test
    void aMissingVersionIsVersionNotFoundWithTheNearestVersions() {
        EngineException e = failure(Reason.VersionNotFound, () -> puller.inspect(anonymous("charts/webapp:1.0.5")));

        assertThat(e.getMessage()).contains("1.0.5", "1.1.0", "1.0.0");
    }

    @Test
    void aRangeWithoutMatchIsNoMatchingVersion() {
        PullRequest range = new PullRequest(
                ref(registry, "charts/webapp"), ">=3.0.0", null, false, options(registry, Credentials.anonymous()));

        EngineException e = failure(Reason.NoMatchingVersion, () -> puller.inspect(range));

        assertThat(e.getMessage()).contains("1.1.0");
    }

    @Test
    void rangesSelectTheNewestMatchAndPrereleasesOnlyWhenAsked() {
        PullRequest newest = new PullRequest(
                ref(registry, "charts/webapp"), null, null, false, options(registry, Credentials.anonymous()));
        PullRequest devel = new PullRequest(
                ref(registry, "charts/webapp"), null, null, true, options(registry, Credentials.anonymous()));

        Resolution release = puller.inspect(newest);
        Resolution prerelease = puller.inspect(devel);

        assertThat(release.version()).isEqualTo("1.1.0");
        assertThat(release.availableVersions()).containsExactly("2.0.0-rc.1", "1.1.0", "1.0.0", "0.9.0");
        assertThat(prerelease.version()).isEqualTo("2.0.0-rc.1");
    }

    @Test
    void anUnknownRepositoryIsRepositoryNotFound() {
        EngineException e = failure(Reason.RepositoryNotFound, () -> puller.inspect(anonymous("nowhere/webapp:1.0.0")));

        assertThat(e.getMessage()).contains("nowhere/webapp", "NAME_UNKNOWN");
    }

    @Test
    void malformedReferencesAreInvalidReference() {
        failure(Reason.InvalidReference, () -> OciReference.parse("oci://" + registry.host() + "/Charts/WebApp:1.0.0"));
        PullRequest conflicting = new PullRequest(
                ref(registry, "charts/webapp:1.0.0"), "1.1.0", null, false, options(registry, Credentials.anonymous()));
        failure(Reason.InvalidReference, () -> puller.inspect(conflicting));
    }

    @Test
    void garbageVersionIsInvalidVersion() {
        PullRequest garbage = new PullRequest(
                ref(registry, "charts/webapp"),
                "not a version!",
                null,
                false,
                options(registry, Credentials.anonymous()));

        failure(Reason.InvalidVersion, () -> puller.inspect(garbage));
    }

    // ---- authentication and authorization

    @Test
    void noCredentialsForAPrivateRegistryIsUnauthorized() {
        EngineException e = failure(
                Reason.Unauthorized,
                () -> puller.inspect(request(tokenRegistry, "private/webapp:1.0.0", Credentials.anonymous())));

        assertThat(e.getMessage()).contains("no credentials were sent", tokenRegistry.host());
    }

    @Test
    void wrongPasswordIsUnauthorizedWithoutThePassword() {
        EngineException e = failure(
                Reason.Unauthorized,
                () -> puller.inspect(
                        request(tokenRegistry, "private/webapp:1.0.0", Credentials.basic(USER, "wrong-pass-123"))));

        assertThat(e.getMessage())
                .contains("username/password credentials were sent")
                .doesNotContain("wrong-pass-123");
        assertThat(e.toString()).doesNotContain("wrong-pass-123");
    }

    @Test
    void wrongPasswordOnABasicRegistryIsUnauthorized(@TempDir Path dir) {
        try (RegistryFixture basic = RegistryFixture.builder(RegistryImplementation.DISTRIBUTION_V3)
                        .htpasswd()
                        .user(USER, PASSWORD)
                        .start();
                ChartPuller own = new ChartPuller(dir)) {
            EngineException e = failure(
                    Reason.Unauthorized,
                    () -> own.inspect(request(basic, "charts/webapp:1.0.0", Credentials.basic(USER, "nope-nope"))));
            assertThat(e.getMessage()).doesNotContain("nope-nope");
        }
    }

    @Test
    void aTokenServerDenialIsForbidden() {
        TokenServer tokens = tokenRegistry.tokenServer();
        tokens.deny("private/webapp", TokenServer.Denial.HTTP_403);
        try {
            failure(
                    Reason.Forbidden,
                    () -> puller.inspect(
                            request(tokenRegistry, "private/webapp:1.0.0", Credentials.basic(USER, PASSWORD))));
        } finally {
            tokens.clearDenials();
        }
    }

    @Test
    void aTokenWithoutPullAccessIsForbidden() {
        TokenServer tokens = tokenRegistry.tokenServer();
        tokens.deny("private/webapp", TokenServer.Denial.OMIT_FROM_TOKEN);
        try {
            EngineException e = failure(
                    Reason.Forbidden,
                    () -> puller.inspect(
                            request(tokenRegistry, "private/webapp:1.0.0", Credentials.basic(USER, PASSWORD))));
            assertThat(e.getMessage()).contains("insufficient_scope");
        } finally {
            tokens.clearDenials();
        }
    }

    // ---- throttling, outages, TLS, timeouts (real token server / registry process / sockets)

    @Test
    void persistentThrottlingIsRateLimited() {
        TokenServer tokens = tokenRegistry.tokenServer();
        tokens.resetRequests();
        tokens.failNextRequests(100, 429);
        try {
            failure(
                    Reason.RateLimited,
                    () -> puller.inspect(fastRetries(
                            request(tokenRegistry, "private/webapp:1.0.0", Credentials.basic(USER, PASSWORD)))));
            assertThat(tokens.requests()).hasSize(1 + 3);
        } finally {
            tokens.reset();
        }
    }

    @Test
    void serverErrorsAreRetriedThenRegistryUnavailable() {
        TokenServer tokens = tokenRegistry.tokenServer();
        tokens.failNextRequests(2, 503);
        try {
            Resolution resolution = puller.inspect(
                    fastRetries(request(tokenRegistry, "private/webapp:1.0.0", Credentials.basic(USER, PASSWORD))));
            assertThat(resolution.version()).isEqualTo("1.0.0");
            tokens.failNextRequests(100, 503);
            try (ChartPuller fresh = new ChartPuller(store.resolve("fresh"))) {
                failure(
                        Reason.RegistryUnavailable,
                        () -> fresh.inspect(fastRetries(
                                request(tokenRegistry, "private/webapp:1.0.0", Credentials.basic(USER, PASSWORD)))));
            }
        } finally {
            tokens.reset();
        }
    }

    @Test
    void aStoppedRegistryIsRegistryUnavailable(@TempDir Path dir) {
        RegistryFixture stopped =
                RegistryFixture.builder(RegistryImplementation.DISTRIBUTION_V3).start();
        stopped.close();

        EngineException e = failure(
                Reason.RegistryUnavailable,
                () -> puller.inspect(fastRetries(request(stopped, "charts/webapp:1.0.0", Credentials.anonymous()))));

        assertThat(e.getMessage()).contains(stopped.host());
    }

    @Test
    void anUntrustedCertificateIsTlsErrorAskingForTheCa() {
        RegistryOptions withoutCa = new RegistryOptions(Credentials.basic(USER, PASSWORD), TransportOptions.defaults());

        EngineException e = failure(
                Reason.TlsError,
                () -> puller.inspect(
                        new PullRequest(ref(tokenRegistry, "private/webapp:1.0.0"), null, null, false, withoutCa)));

        assertThat(e.getMessage()).contains("CA certificate", tokenRegistry.host());
    }

    @Test
    void tlsToAPlainHttpRegistryIsTlsError() {
        RegistryOptions tls = new RegistryOptions(Credentials.anonymous(), TransportOptions.defaults());

        EngineException e = failure(
                Reason.TlsError,
                () -> puller.inspect(new PullRequest(ref(registry, "charts/webapp:1.0.0"), null, null, false, tls)));

        assertThat(e.getMessage()).contains("plain HTTP");
    }

    @Test
    void aServerThatNeverAnswersIsTimeout() throws IOException {
        List<Socket> accepted = new ArrayList<>();
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        accepted.add(silent.accept());
                    }
                } catch (IOException closed) {
                    // done
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            TransportOptions quick = TransportOptions.builder()
                    .plainHttp(true)
                    .retry(RetryPolicy.none())
                    .timeouts(Duration.ofSeconds(1), Duration.ofMillis(500), Duration.ofSeconds(5))
                    .build();
            OciReference silentRef =
                    OciReference.parse("oci://127.0.0.1:" + silent.getLocalPort() + "/charts/webapp:1.0.0");

            failure(
                    Reason.Timeout,
                    () -> puller.inspect(new PullRequest(
                            silentRef, null, null, false, new RegistryOptions(Credentials.anonymous(), quick))));
        }
    }

    private static PullRequest fastRetries(PullRequest request) {
        RetryPolicy fast = new RetryPolicy(
                3, Duration.ofMillis(20), 0.1, Duration.ofMillis(10), Duration.ofMillis(100), Duration.ofSeconds(5));
        RegistryOptions options = request.options()
                .withTransport(
                        request.options().transport().toBuilder().retry(fast).build());
        return new PullRequest(
                request.reference(), request.version(), request.digest(), request.includePrereleases(), options);
    }
}
