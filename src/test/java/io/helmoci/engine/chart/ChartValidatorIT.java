package io.helmoci.engine.chart;

import static io.helmoci.testbed.ChartArchiveBuilder.chart;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.helmoci.engine.EngineException;
import io.helmoci.engine.Reason;
import io.helmoci.testbed.ChartArchiveBuilder;
import io.helmoci.testbed.HelmMajor;
import io.helmoci.testbed.ProcessRunner;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The validator against charts made and read by the real helm CLI (Helm 3 and Helm 4). */
class ChartValidatorIT {
    static final ChartValidator VALIDATOR = new ChartValidator(ChartLimits.defaults());

    @TempDir
    Path dir;

    Path helm;

    @ParameterizedTest(name = "{0}")
    @EnumSource(HelmMajor.class)
    void acceptsWhatHelmPackagesAndReadsTheSameMetadataAsHelm(HelmMajor major) {
        helm = major.executable();
        helm("create", "mychart").orThrow();
        helm("create", "mychart/charts/sub").orThrow();
        helm("package", "mychart", "--version", "1.2.3+build.7", "--app-version", "2.0", "-d", "out")
                .orThrow();
        Path tgz = dir.resolve("out/mychart-1.2.3+build.7.tgz");

        ChartMetadata ours = VALIDATOR.validate(tgz);
        ChartMetadata helms = ChartMetadata.fromChartYaml(
                helm("show", "chart", tgz.toString()).orThrow().stdout().getBytes(StandardCharsets.UTF_8));

        assertThat(ours).isEqualTo(helms);
        assertThat(ours.name()).isEqualTo("mychart");
        assertThat(ours.version()).isEqualTo("1.2.3+build.7");
        assertThat(ours.appVersion()).isEqualTo("2.0");
        assertThat(ours.apiVersion()).isEqualTo("v2");
        assertThat(ours.type()).isEqualTo("application");
        ChartValidator.checkAgreement(ours, null, "mychart", "1.2.3_build.7");
    }

    /**
     * Each hostile archive is refused here; what helm v3.22 does with it is asserted too, so the
     * claims "Helm refuses it as well" and "stricter than Helm" stay true.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(HelmMajor.class)
    void refusesHostileArchivesWhetherOrNotHelmDoes(HelmMajor major) {
        helm = major.executable();
        Map<String, ChartArchiveBuilder> helmAlsoRefuses = new java.util.HashMap<>(Map.of(
                "chart illegally references parent directory",
                        chart("c", "1.0.0").file("c/../../x", "x"),
                "chart illegally contains absolute paths", chart("c", "1.0.0").file("c//etc/x", "x"),
                "chart illegally contains content outside the base directory",
                        chart("c", "1.0.0").file("README.md", "x"),
                "Chart.yaml file is missing", new ChartArchiveBuilder().file("c/values.yaml", "x: 1"),
                "error unpacking subchart README.md", chart("c", "1.0.0").file("c/charts/README.md", "x")));
        ChartArchiveBuilder sixMiBFile = chart("c", "1.0.0").zeros("c/big.bin", 6 * 1024 * 1024);
        if (major == HelmMajor.HELM_3) {
            helmAlsoRefuses.put("larger than the maximum file size", sixMiBFile);
        }
        helmAlsoRefuses.forEach((helmsError, archive) -> {
            Path tgz = archive.writeTo(dir.resolve("refused.tgz"));
            assertThatThrownBy(() -> VALIDATOR.validate(tgz)).isInstanceOf(EngineException.class);
            ProcessRunner.Result shown = helm("show", "chart", tgz.toString());
            assertThat(shown.exitCode()).as(helmsError).isNotZero();
            assertThat(shown.stderr()).contains(helmsError);
        });

        Map<String, ChartArchiveBuilder> helmAccepts = Map.of(
                "symbolic link", chart("c", "1.0.0").symlink("c/templates/x.yaml", "/etc/passwd"),
                // Helm strips the first path component whatever it is, so /tmp/x is read as tmp/x.
                "has an absolute path", chart("c", "1.0.0").file("/tmp/x", "x"),
                "hard link", chart("c", "1.0.0").hardlink("c/templates/x.yaml", "c/values.yaml"),
                "more than one top-level directory",
                        chart("c", "1.0.0").file("other/templates/x.yaml", "kind: ConfigMap"),
                "Chart.yaml names the chart 'right'",
                        new ChartArchiveBuilder()
                                .file("wrong/Chart.yaml", "apiVersion: v2\nname: right\nversion: 1.0.0\n"),
                "apiVersion 'v9' is not supported",
                        new ChartArchiveBuilder().file("c/Chart.yaml", "apiVersion: v9\nname: c\nversion: 1.0.0\n"));

        helmAccepts.forEach((ourError, archive) -> {
            Path tgz = archive.writeTo(dir.resolve("stricter.tgz"));
            assertThatThrownBy(() -> VALIDATOR.validate(tgz)).isInstanceOfSatisfying(EngineException.class, e -> {
                assertThat(e.reason()).isEqualTo(Reason.InvalidChart);
                assertThat(e.getMessage()).contains(ourError);
            });
            assertThat(helm("show", "chart", tgz.toString()).exitCode())
                    .as(ourError)
                    .isZero();
        });
        if (major == HelmMajor.HELM_4) {
            // Helm 4.3 dropped Helm 3's 5 MiB per-file limit (only the 100 MiB total remains): our default is stricter
            // than Helm 4.
            Path tgz = sixMiBFile.writeTo(dir.resolve("six-mib-file.tgz"));
            assertThatThrownBy(() -> VALIDATOR.validate(tgz))
                    .isInstanceOfSatisfying(
                            EngineException.class, e -> assertThat(e.reason()).isEqualTo(Reason.ChartTooLarge));
            assertThat(helm("show", "chart", tgz.toString()).exitCode())
                    .as("Helm 4 loads a chart with a 6 MiB file")
                    .isZero();
        }
    }

    private ProcessRunner.Result helm(String... args) {
        List<String> command = new java.util.ArrayList<>(List.of(helm.toString()));
        command.addAll(List.of(args));
        Map<String, String> env = Map.of(
                "HELM_CACHE_HOME", dir.resolve(".helm/cache").toString(),
                "HELM_CONFIG_HOME", dir.resolve(".helm/config").toString(),
                "HELM_DATA_HOME", dir.resolve(".helm/data").toString());
        return ProcessRunner.run(command, env, dir, null, Duration.ofMinutes(1));
    }
}
