package io.helmoci.testbed;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * oras push with Helm's media types (the command of the wire-format reference, section 8) gives a
 * chart helm pull (Helm 3 and Helm 4) accepts; the types users get by mistake give charts helm pull rejects.
 */
class OrasHelmMediaTypesIT {
    @RegisterExtension
    static RegistryExtension registry = RegistryFixture.builder(RegistryImplementation.DISTRIBUTION_V3)
            .tls()
            .extension();

    @TempDir
    static Path work;

    static Path chart;
    static OrasCli oras;
    static HelmCli helm;
    static RawRegistryClient raw;

    @BeforeAll
    static void setUp() {
        helm = new HelmCli(work.resolve("helm"));
        oras = new OrasCli(work.resolve("oras"));
        chart = new ChartFactory(helm, work)
                .create(ChartSpec.of("orased", "1.2.3").appVersion("9.9"));
        raw = RawRegistryClient.anonymous(registry);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(HelmMajor.class)
    void documentedCommandWithHelmTypesGivesAChartHelmPulls(HelmMajor major, @TempDir Path out) {
        oras.pushHelmChart(registry, "charts/orased:1.2.3", chart).orThrow();

        JsonNode manifest = raw.getManifest("charts/orased", "1.2.3").json();
        Path pulled = helm(major).pull(registry, "charts/orased", "1.2.3", out);

        assertThat(manifest.path("config").path("mediaType").asText()).isEqualTo(OciManifests.HELM_CONFIG);
        assertThat(manifest.path("layers"))
                .singleElement()
                .satisfies(l -> assertThat(l.path("mediaType").asText()).isEqualTo(OciManifests.HELM_CHART));
        assertThat(manifest.has("artifactType"))
                .as("oras >= 1.2 falls back to image-spec v1.0 with --config")
                .isFalse();
        assertThat(Digests.sha256(pulled)).isEqualTo(Digests.sha256(chart));
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(HelmMajor.class)
    void helmTypesWithArtifactTypeAreAcceptedToo(HelmMajor major, @TempDir Path out) {
        oras.push(
                        registry,
                        "charts/orased-v11:1.2.3",
                        copyOfChart("v11"),
                        List.of(
                                "--artifact-type",
                                OciManifests.HELM_CONFIG,
                                "--config",
                                "config.json:" + OciManifests.HELM_CONFIG),
                        chart.getFileName() + ":" + OciManifests.HELM_CHART)
                .orThrow();

        JsonNode manifest = raw.getManifest("charts/orased-v11", "1.2.3").json();
        report("artifact-type manifest", manifest.toString());
        Path pulled = helm(major).pull(registry, "charts/orased-v11", "1.2.3", out);

        assertThat(manifest.path("artifactType").asText()).isEqualTo(OciManifests.HELM_CONFIG);
        assertThat(Digests.sha256(pulled)).isEqualTo(Digests.sha256(chart));
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(HelmMajor.class)
    void defaultOrasTypesGiveAnArtifactHelmRejects(HelmMajor major, @TempDir Path out) {
        oras.push(
                        registry,
                        "charts/orased-default:1.2.3",
                        copyOfChart("default"),
                        List.of(),
                        chart.getFileName().toString())
                .orThrow();

        JsonNode manifest = raw.getManifest("charts/orased-default", "1.2.3").json();
        ProcessRunner.Result pull = helm(major).tryPull(registry, "charts/orased-default", "1.2.3", out);
        report("default types manifest", manifest.toString());
        report(major + " pull, oras default types", pull.stderr());

        assertThat(manifest.path("artifactType").asText()).isEqualTo("application/vnd.unknown.artifact.v1");
        assertThat(manifest.path("config").path("mediaType").asText()).isEqualTo(OciManifests.OCI_EMPTY);
        assertThat(manifest.path("layers").get(0).path("mediaType").asText())
                .isEqualTo("application/vnd.oci.image.layer.v1.tar");
        assertThat(pull.exitCode()).isNotZero();
        assertThat(pull.stderr())
                .contains("manifest does not contain minimum number of descriptors (2), descriptors found: 1");
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(HelmMajor.class)
    void helmConfigWithAPlainLayerTypeIsRejected(HelmMajor major, @TempDir Path out) {
        Path dir = copyOfChart("plain-layer");
        oras.push(
                        registry,
                        "charts/orased-plain:1.2.3",
                        dir,
                        List.of("--config", "config.json:" + OciManifests.HELM_CONFIG),
                        chart.getFileName() + ":application/gzip")
                .orThrow();

        ProcessRunner.Result pull = helm(major).tryPull(registry, "charts/orased-plain", "1.2.3", out);
        report(major + " pull, helm config + application/gzip layer", pull.stderr());

        assertThat(pull.exitCode()).isNotZero();
        assertThat(pull.stderr())
                .contains("manifest does not contain a layer with mediatype " + OciManifests.HELM_CHART);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(HelmMajor.class)
    void legacyChartLayerTypeIsPulledWithAWarning(HelmMajor major, @TempDir Path out) {
        Path dir = copyOfChart("legacy");
        oras.push(
                        registry,
                        "charts/orased-legacy:1.2.3",
                        dir,
                        List.of("--config", "config.json:" + OciManifests.HELM_CONFIG),
                        chart.getFileName() + ":" + OciManifests.HELM_LEGACY_CHART)
                .orThrow();

        ProcessRunner.Result pull = helm(major).tryPull(registry, "charts/orased-legacy", "1.2.3", out);
        report(major + " pull, legacy layer type", pull.stdout() + pull.stderr());

        assertThat(pull.exitCode()).isZero();
        assertThat(pull.stdout() + pull.stderr())
                .contains("Warning: chart media type application/tar+gzip is deprecated");
        // helm names the file after the last repository segment and the tag, not after the chart.
        assertThat(Digests.sha256(out.resolve("orased-legacy-1.2.3.tgz"))).isEqualTo(Digests.sha256(chart));
    }

    @Test
    void theManifestTypeFlagFromTroubleshootingArticlesDoesNotExist() {
        ProcessRunner.Result push = oras.push(
                registry,
                "charts/orased-bogus:1.2.3",
                copyOfChart("bogus"),
                List.of("--manifest-type", "application/vnd.cncf.helm.chart.layer.v1+tar"),
                chart.getFileName().toString());
        report("oras --manifest-type", push.stderr());

        assertThat(push.exitCode()).isNotZero();
        assertThat(push.stderr()).contains("unknown flag: --manifest-type");
    }

    private static HelmCli helm(HelmMajor major) {
        return new HelmCli(work.resolve("helm-" + major), major);
    }

    /** A directory holding the chart and its config.json, for oras to push from. */
    private static Path copyOfChart(String name) {
        try {
            Path dir = Files.createDirectories(work.resolve("oras-" + name));
            Files.copy(chart, dir.resolve(chart.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            Files.write(dir.resolve("config.json"), ChartFactory.helmConfigJson(chart));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void report(String what, String text) {
        System.out.println("[report] " + what + ": " + text.strip());
    }
}
