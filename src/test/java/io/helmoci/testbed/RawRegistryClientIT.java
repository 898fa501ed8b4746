package io.helmoci.testbed;

import static org.assertj.core.api.Assertions.assertThat;

import io.helmoci.testbed.RawRegistryClient.ChartManifestStyle;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Manifests written over the raw HTTP API (java.net.http) with Basic and with bearer-token auth,
 * read back by the real helm: what the registry accepts, and what helm makes of it.
 */
class RawRegistryClientIT {
    static final String USER = "carol";
    static final String PASSWORD = "raw-pass";

    @TempDir
    static Path work;

    static Path chart;
    static Path otherChart;

    @BeforeAll
    static void packageCharts() {
        ChartFactory charts = new ChartFactory(new HelmCli(work.resolve("factory")), work);
        chart = charts.create(ChartSpec.of("rawchart", "3.0.0-rc.1").description("raw pushes"));
        otherChart = charts.create(ChartSpec.of("rawchart", "3.0.1"));
    }

    @Nested
    class OnDistributionV3WithTokens extends Contract {
        @RegisterExtension
        static RegistryExtension registry = RegistryFixture.builder(RegistryImplementation.DISTRIBUTION_V3)
                .tokenAuth()
                .user(USER, PASSWORD)
                .extension();

        @Override
        RegistryFixture registry() {
            return registry;
        }
    }

    @Nested
    class OnDebianDistribution28WithBasicAuth extends Contract {
        @RegisterExtension
        static RegistryExtension registry = RegistryFixture.builder(RegistryImplementation.DEBIAN_DISTRIBUTION_2_8)
                .htpasswd()
                .user(USER, PASSWORD)
                .extension();

        @Override
        RegistryFixture registry() {
            return registry;
        }
    }

    abstract static class Contract {
        @TempDir
        Path dir;

        RawRegistryClient raw;
        HelmCli helm;

        abstract RegistryFixture registry();

        @BeforeEach
        void logIn() {
            raw = RawRegistryClient.withCredentials(registry(), USER, PASSWORD);
            helm = new HelmCli(dir.resolve("helm"));
            helm.login(registry(), USER, PASSWORD);
        }

        @Test
        void chartPushedLikeHelmIsPulledByHelmByteForByte() {
            Descriptor manifest = raw.pushChart("raw/helm-style", "3.0.0-rc.1", chart, ChartManifestStyle.HELM);

            Path pulled = helm.pull(registry(), "raw/helm-style", "3.0.0-rc.1", dir.resolve("out"));

            assertThat(Digests.sha256(pulled)).isEqualTo(Digests.sha256(chart));
            assertThat(raw.headManifestDigest("raw/helm-style", "3.0.0-rc.1")).isEqualTo(manifest.digest());
            assertThat(raw.getManifest("raw/helm-style", manifest.digest()).header("Content-Type"))
                    .isEqualTo(OciManifests.OCI_MANIFEST);
            assertThat(raw.tags("raw/helm-style")).containsExactly("3.0.0-rc.1");
        }

        @Test
        void ociManifestWithMediaTypeFieldIsPulledToo() {
            raw.pushChart("raw/with-media-type", "3.0.0-rc.1", chart, ChartManifestStyle.OCI_WITH_MEDIA_TYPE);

            Path pulled = helm.pull(registry(), "raw/with-media-type", "3.0.0-rc.1", dir.resolve("out"));

            assertThat(Digests.sha256(pulled)).isEqualTo(Digests.sha256(chart));
        }

        @Test
        void dockerSchema2ChartIsStoredButHelmCannotPullIt() {
            Descriptor manifest = raw.pushChart("raw/schema2", "3.0.0-rc.1", chart, ChartManifestStyle.DOCKER_SCHEMA2);

            ProcessRunner.Result pull = helm.tryPull(registry(), "raw/schema2", "3.0.0-rc.1", dir.resolve("out"));
            report("helm pull, Docker schema2 chart", pull.stderr());

            assertThat(raw.getManifest("raw/schema2", "3.0.0-rc.1").header("Content-Type"))
                    .isEqualTo(OciManifests.DOCKER_MANIFEST);
            assertThat(pull.exitCode()).isNotZero();
            assertThat(pull.stderr()).contains("unable to retrieve blob with digest " + manifest.digest());
        }

        @Test
        void imageIndexOverOneChartIsPulledByThisHelm() {
            Descriptor chartManifest = raw.pushChart("raw/indexed", "chart-only", chart, ChartManifestStyle.HELM)
                    .withArtifactType(OciManifests.HELM_CONFIG);
            Descriptor index = raw.pushIndex("raw/indexed", "3.0.0-rc.1", List.of(chartManifest));

            ProcessRunner.Result pull = helm.tryPull(registry(), "raw/indexed", "3.0.0-rc.1", dir.resolve("out"));
            report("helm pull, OCI index over one chart", pull.stdout() + pull.stderr());

            assertThat(raw.headManifestDigest("raw/indexed", "3.0.0-rc.1")).isEqualTo(index.digest());
            assertThat(pull.exitCode()).isZero();
            assertThat(Digests.sha256(dir.resolve("out/indexed-3.0.0-rc.1.tgz")))
                    .isEqualTo(Digests.sha256(chart));
        }

        @Test
        void imageIndexOverTwoChartsAndAContainerImageIsAccepted() {
            Descriptor first = raw.pushChart("raw/multi", "a", chart, ChartManifestStyle.HELM)
                    .withArtifactType(OciManifests.HELM_CONFIG);
            Descriptor second = raw.pushChart("raw/multi", "b", otherChart, ChartManifestStyle.HELM);
            Descriptor image = raw.pushContainerImage("raw/multi", "image").withPlatform("linux", "amd64");

            Descriptor index = raw.pushIndex("raw/multi", "3.0.0", List.of(first, second, image));

            assertThat(raw.getManifest("raw/multi", "3.0.0").json().path("manifests"))
                    .hasSize(3);
            assertThat(raw.headManifestDigest("raw/multi", "3.0.0")).isEqualTo(index.digest());
        }

        @Test
        void containerImageIsRejectedByHelmPull() {
            raw.pushContainerImage("raw/image", "1.0.0");

            ProcessRunner.Result pull = helm.tryPull(registry(), "raw/image", "1.0.0", dir.resolve("out"));
            report("helm pull, container image", pull.stderr());

            assertThat(pull.exitCode()).isNotZero();
            assertThat(pull.stderr()).contains("manifest does not contain minimum number of descriptors");
        }

        @Test
        void blobWithAWrongDigestIsRefusedOnUpload() {
            RawRegistryClient.Response upload =
                    raw.uploadBlob("raw/tamper", Digests.sha256("other".getBytes()), "content".getBytes());

            assertThat(upload.status()).isEqualTo(400);
            assertThat(upload.json().path("errors").get(0).path("code").asText())
                    .isEqualTo("DIGEST_INVALID");
        }

        @Test
        void manifestReferencingAMissingBlobIsRefused() {
            Descriptor config =
                    raw.pushBlob("raw/missing", OciManifests.HELM_CONFIG, ChartFactory.helmConfigJson(chart));
            Descriptor ghost = Descriptor.of(OciManifests.HELM_CHART, "never uploaded".getBytes());

            RawRegistryClient.Response put = raw.putManifest(
                    "raw/missing",
                    "1.0.0",
                    OciManifests.OCI_MANIFEST,
                    OciManifests.manifest(null, null, config, List.of(ghost), null));

            assertThat(put.status()).isEqualTo(400);
            assertThat(put.json().path("errors").get(0).path("code").asText()).isEqualTo("MANIFEST_BLOB_UNKNOWN");
        }

        @Test
        void blobCorruptedAtRestIsServedAsIsAndHelmRefusesIt() throws IOException {
            // Blobs are shared by every repository of the registry: corrupt a chart no other test uses.
            Path victim = new ChartFactory(helm, dir)
                    .create(ChartSpec.of("rawchart", "3.0.0-rc.1")
                            .description("corrupted in " + registry().implementation()));
            Descriptor manifest = raw.pushChart("raw/corrupt", "3.0.0-rc.1", victim, ChartManifestStyle.HELM);
            String layer = raw.getManifest("raw/corrupt", manifest.digest())
                    .json()
                    .path("layers")
                    .get(0)
                    .path("digest")
                    .asText();
            byte[] original = Files.readAllBytes(victim);
            byte[] tampered = original.clone();
            tampered[tampered.length / 2] ^= 0x55;
            Files.write(registry().blobFile(layer), tampered);

            RawRegistryClient.Response served = raw.getBlob("raw/corrupt", layer);
            ProcessRunner.Result pull = helm.tryPull(registry(), "raw/corrupt", "3.0.0-rc.1", dir.resolve("out"));
            report("helm pull, chart blob corrupted at rest", pull.stderr());

            assertThat(served.status()).isEqualTo(200);
            assertThat(served.body()).isEqualTo(tampered);
            assertThat(pull.exitCode()).isNotZero();
            assertThat(pull.stderr()).contains("mismatched digest");

            Files.write(registry().blobFile(layer), Arrays.copyOf(original, original.length / 2));
            ProcessRunner.Result truncated = helm.tryPull(registry(), "raw/corrupt", "3.0.0-rc.1", dir.resolve("out2"));
            report("helm pull, chart blob truncated at rest", truncated.stderr());
            assertThat(truncated.exitCode()).isNotZero();
            assertThat(truncated.stderr()).contains("mismatch Content-Length");
        }

        private void report(String what, String text) {
            System.out.println("[report] " + what + " (" + registry().implementation() + "): " + text.strip());
        }
    }
}
