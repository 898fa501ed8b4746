package io.helmoci.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.helmoci.testbed.ChartFactory;
import io.helmoci.testbed.ChartSpec;
import io.helmoci.testbed.Digests;
import io.helmoci.testbed.HelmCli;
import io.helmoci.testbed.OrasCli;
import io.helmoci.testbed.ProcessRunner;
import io.helmoci.testbed.RegistryExtension;
import io.helmoci.testbed.RegistryFixture;
import io.helmoci.testbed.RegistryImplementation;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The helm-oci command against a real registry (htpasswd basic auth over TLS), charts pushed by the real helm and oras. */
class HelmOciCliIT {
    private static final String USER = "ci-user";
    private static final String PASSWORD = "ci-password";
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static RegistryExtension registry = RegistryFixture.builder(RegistryImplementation.DISTRIBUTION_V3)
            .htpasswd()
            .user(USER, PASSWORD)
            .extension();

    @TempDir
    static Path work;

    static Path chart;
    static String manifestDigest;

    @BeforeAll
    static void pushCharts() {
        HelmCli helm = new HelmCli(work.resolve("helm"));
        ChartFactory charts = new ChartFactory(helm, work);
        helm.login(registry, USER, PASSWORD);
        chart = charts.create(
                ChartSpec.of("webapp", "1.4.2").appVersion("2.0.0").description("cli IT"));
        manifestDigest = helm.push(registry, chart, "charts").digest();
        helm.push(registry, charts.create(ChartSpec.of("webapp", "1.5.0-rc.1")), "charts");
        helm.push(registry, charts.create(ChartSpec.of("webapp", "2.0.0")), "charts");
        OrasCli oras = new OrasCli(work.resolve("oras"));
        oras.login(registry, USER, PASSWORD);
        // What users get from a plain 'oras push' of a chart: no Helm media types.
        oras.push(
                        registry,
                        "wrong/webapp:1.4.2",
                        chart.getParent(),
                        List.of(),
                        chart.getFileName().toString())
                .orThrow();
    }

    @Test
    void inspectResolvesARangeWithoutDownloadingTheChart() throws Exception {
        registry.resetRequests();
        Run run = cli("inspect", registry.ociUrl("charts/webapp"), "--version", "^1.0", "-o", "json");

        assertThat(run.exitCode).as(run.err).isZero();
        JsonNode result = JSON.readTree(run.out);
        assertThat(result.path("version").asText()).isEqualTo("1.4.2");
        assertThat(result.path("tag").asText()).isEqualTo("1.4.2");
        assertThat(result.path("manifestDigest").asText()).isEqualTo(manifestDigest);
        assertThat(result.path("pinnedReference").asText())
                .isEqualTo(registry.ociUrl("charts/webapp@" + manifestDigest));
        assertThat(result.path("mediaTypes").path("config").asText())
                .isEqualTo("application/vnd.cncf.helm.config.v1+json");
        assertThat(result.path("chart").path("appVersion").asText()).isEqualTo("2.0.0");
        assertThat(JSON.convertValue(result.path("availableVersions"), List.class))
                .containsExactly("2.0.0", "1.5.0-rc.1", "1.4.2");
        assertThat(registry.requests())
                .noneMatch(r -> r.method().equals("GET") && r.path().endsWith("/blobs/" + Digests.sha256(chart)));
        assertThat(registry.requests())
                .anyMatch(r -> r.method().equals("GET") && r.path().endsWith("/tags/list"));
    }

    @Test
    void pullWritesTheVerifiedChartByteIdenticalToWhatWasPushed(@TempDir Path dest) throws Exception {
        Run run = cli("pull", registry.ociUrl("charts/webapp"), "--version", "1.4.2", "-d", dest.toString());

        assertThat(run.exitCode).as(run.err).isZero();
        Path pulled = dest.resolve("webapp-1.4.2.tgz");
        assertThat(Files.readAllBytes(pulled)).isEqualTo(Files.readAllBytes(chart));
        assertThat(run.out)
                .contains("Manifest digest:   " + manifestDigest)
                .contains("Content digest:    " + Digests.sha256(chart))
                .contains("Saved to:          " + pulled.toAbsolutePath())
                // an exact version needs no tag list to resolve, but the command shows the newest versions
                .contains("Newest versions:   2.0.0, 1.5.0-rc.1, 1.4.2");
    }

    @Test
    void aDigestPinThatDoesNotMatchFailsWithDigestMismatch(@TempDir Path dest) throws Exception {
        String otherDigest = "sha256:" + "0".repeat(64);
        Run run = cli(
                "pull",
                registry.ociUrl("charts/webapp:1.4.2"),
                "--digest",
                otherDigest,
                "-d",
                dest.toString(),
                "-o",
                "json");

        assertThat(run.exitCode).isEqualTo(1);
        JsonNode error = JSON.readTree(run.out).path("error");
        assertThat(error.path("reason").asText()).isEqualTo("DigestMismatch");
        assertThat(error.path("message").asText()).contains(manifestDigest);
        assertThat(dest).isEmptyDirectory();
    }

    @Test
    void aChartPushedWithWrongMediaTypesSaysHowToPushItRight() {
        Run run = cli("inspect", registry.ociUrl("wrong/webapp:1.4.2"));

        assertThat(run.exitCode).isEqualTo(1);
        assertThat(run.err)
                .startsWith("Error: NotAHelmChart: ")
                .contains("helm push")
                .contains("oras push")
                .contains("application/vnd.cncf.helm.chart.content.v1.tar+gzip");
    }

    @Test
    void withoutCredentialsTheRegistrySaysUnauthorizedAndNoSecretIsPrinted() {
        Run run = cliWithoutLogin("inspect", registry.ociUrl("charts/webapp:1.4.2"), "-o", "json");

        assertThat(run.exitCode).isEqualTo(1);
        assertThat(run.out).contains("\"reason\" : \"Unauthorized\"").doesNotContain(PASSWORD);
    }

    @Test
    void usageErrorsExitWithTwo() {
        assertThat(cli("inspect").exitCode).isEqualTo(2);
        assertThat(cli("inspect", registry.ociUrl("charts/webapp"), "--no-such-flag").exitCode)
                .isEqualTo(2);
        assertThat(cli("inspect", registry.ociUrl("charts/webapp"), "--timeout", "soon").exitCode)
                .isEqualTo(2);
        Run badRef = cli("inspect", "https://example.com/charts/webapp");
        assertThat(badRef.exitCode).isEqualTo(1);
        assertThat(badRef.err).contains("InvalidReference").contains("oci://");
    }

    @Test
    void theLauncherRunsThePackagedApplicationWithThePasswordFromStandardInput(@TempDir Path dest) throws Exception {
        Path launcher = Path.of("bin", "helm-oci").toAbsolutePath();
        List<String> command = new ArrayList<>(List.of(
                launcher.toString(),
                "pull",
                registry.ociUrl("charts/webapp"),
                "--version",
                ">=1.0.0 <2.0.0",
                "--devel",
                "-d",
                dest.toString(),
                "-o",
                "json"));
        command.addAll(connectionFlags(true));
        ProcessRunner.Result result = ProcessRunner.run(
                command, Map.of(), null, PASSWORD.getBytes(StandardCharsets.UTF_8), Duration.ofMinutes(1));

        assertThat(result.exitCode()).as(result.stderr()).isZero();
        JsonNode json = JSON.readTree(result.stdout());
        assertThat(json.path("version").asText()).isEqualTo("1.5.0-rc.1");
        assertThat(json.path("content").path("path").asText())
                .isEqualTo(dest.resolve("webapp-1.5.0-rc.1.tgz").toString());
        assertThat(dest.resolve("webapp-1.5.0-rc.1.tgz")).exists();
    }

    private static Run cli(String... args) {
        return run(args, true);
    }

    private static Run cliWithoutLogin(String... args) {
        return run(args, false);
    }

    private static Run run(String[] args, boolean login) {
        List<String> all = new ArrayList<>(List.of(args));
        if (all.size() > 1) {
            all.addAll(connectionFlags(login));
            all.addAll(List.of("--cache-dir", work.resolve("cache").toString()));
        }
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = HelmOciCli.run(
                all.toArray(String[]::new),
                new ByteArrayInputStream(PASSWORD.getBytes(StandardCharsets.UTF_8)),
                new PrintWriter(out, true),
                new PrintWriter(err, true));
        return new Run(exit, out.toString(), err.toString());
    }

    private static List<String> connectionFlags(boolean login) {
        List<String> flags =
                new ArrayList<>(List.of("--ca-file", registry.caFile().toString()));
        if (login) {
            flags.addAll(List.of("--username", USER, "--password-stdin"));
        }
        return flags;
    }

    private record Run(int exitCode, String out, String err) {}
}
