package io.helmoci.engine.chart;

import static io.helmoci.testbed.ChartArchiveBuilder.chart;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.helmoci.engine.EngineException;
import io.helmoci.engine.Reason;
import io.helmoci.testbed.ChartArchiveBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChartValidatorTest {
    static final long MIB = 1024 * 1024;
    static final ChartValidator DEFAULTS = new ChartValidator(ChartLimits.defaults());

    @TempDir
    Path dir;

    @Test
    void acceptsAWellFormedChartWithSubcharts() {
        byte[] subchartArchive = chart("redis", "17.0.1").toBytes();
        Path tgz = new ChartArchiveBuilder()
                .file("web/Chart.yaml", """
                        apiVersion: v2
                        name: web
                        version: 1.2.3+build.7
                        appVersion: "2.0"
                        description: A web app
                        type: application
                        kubeVersion: ">=1.25.0-0"
                        deprecated: false
                        home: https://example.com
                        icon: https://example.com/icon.png
                        sources: [https://github.com/example/web]
                        keywords: [web, http]
                        annotations:
                          category: Web
                        dependencies:
                          - name: redis
                            version: 17.x
                            repository: oci://registry-1.docker.io/bitnamicharts
                            condition: redis.enabled
                          - name: common
                            version: 1.0.0
                            alias: lib
                        """)
                .file("web/values.yaml", "replicaCount: 1\n")
                .file("web/charts/redis-17.0.1.tgz", subchartArchive)
                .file("web/charts/common/Chart.yaml", "apiVersion: v2\nname: common\nversion: 1.0.0\ntype: library\n")
                .file("web/charts/common/templates/_helpers.tpl", "{{- define \"x\" }}{{ end }}")
                .file("web/charts/_ignored/notes.txt", "Helm skips charts/_*")
                .file("web/charts/redis-17.0.1.tgz.prov", "signature")
                .file("web/.helmignore", "*.bak\n")
                .writeTo(dir.resolve("web.tgz"));

        ChartMetadata metadata = DEFAULTS.validate(tgz);

        assertThat(metadata)
                .isEqualTo(new ChartMetadata(
                        "v2",
                        "web",
                        "1.2.3+build.7",
                        "2.0",
                        "A web app",
                        "application",
                        ">=1.25.0-0",
                        false,
                        "https://example.com",
                        "https://example.com/icon.png",
                        java.util.List.of("https://github.com/example/web"),
                        java.util.List.of("web", "http"),
                        java.util.List.of(
                                new ChartMetadata.Dependency(
                                        "redis",
                                        "17.x",
                                        "oci://registry-1.docker.io/bitnamicharts",
                                        "redis.enabled",
                                        null),
                                new ChartMetadata.Dependency("common", "1.0.0", null, null, "lib")),
                        Map.of("category", "Web")));
    }

    @Test
    void readsAChartWithoutApiVersionAsV1AndMergesRequirements() {
        Path tgz = new ChartArchiveBuilder()
                .file("old/Chart.yaml", "\uFEFFname: old\nversion: 0.1.0\n")
                .file("old/requirements.yaml", "dependencies:\n- name: a\n  version: 1.0.0\n")
                .writeTo(dir.resolve("old.tgz"));
        ChartMetadata metadata = DEFAULTS.validate(tgz);
        assertThat(metadata.apiVersion()).isEqualTo("v1");
        assertThat(metadata.dependencies())
                .extracting(ChartMetadata.Dependency::name)
                .containsExactly("a");
    }

    @Test
    void refusesParentDirectoryReferences() {
        assertInvalid(
                chart("c", "1.0.0").file("c/templates/../../../etc/cron.d/x", "boom"), "refers to a parent directory");
        assertInvalid(chart("c", "1.0.0").file("../c/x", "boom"), "starts with ../");
        assertInvalid(chart("c", "1.0.0").file("c\\..\\..\\x", "boom"), "refers to a parent directory");
    }

    @Test
    void refusesAbsoluteAndDrivePaths() {
        assertInvalid(chart("c", "1.0.0").file("/etc/passwd", "root"), "absolute path");
        assertInvalid(chart("c", "1.0.0").file("c//etc/passwd", "root"), "absolute path inside the chart directory");
        assertInvalid(chart("c", "1.0.0").file("C:/Windows/x", "x"), "Windows drive path");
        assertInvalid(chart("c", "1.0.0").file("c/C:/Windows/x", "x"), "Windows drive path");
    }

    @Test
    void refusesLinksWhichHelmWouldReadAsFiles() {
        assertInvalid(
                chart("c", "1.0.0").symlink("c/templates/secret.yaml", "/etc/shadow"),
                "is a symbolic link to \"/etc/shadow\". Helm would read it as an ordinary file");
        assertInvalid(chart("c", "1.0.0").hardlink("c/templates/copy.yaml", "c/values.yaml"), "is a hard link");
        assertInvalid(chart("c", "1.0.0").symlink("c/templates/dir/", "/etc"), "is a symbolic link to \"/etc\"");
        assertInvalid(chart("c", "1.0.0").entry("c/dev", TarConstants.LF_CHR, null), "device or FIFO");
        assertInvalid(chart("c", "1.0.0").entry("c/fifo", TarConstants.LF_FIFO, null), "device or FIFO");
    }

    @Test
    void refusesFilesOutsideTheOneChartDirectory() {
        assertInvalid(chart("c", "1.0.0").file("README.md", "x"), "is at the top of the archive");
        assertInvalid(
                chart("c", "1.0.0").file("Chart.yaml", "name: c\nversion: 1.0.0\n"), "is at the top of the archive");
        assertInvalid(
                chart("c", "1.0.0").file("other/values.yaml", "x: 1"),
                "more than one top-level directory ('c' and 'other')");
        assertInvalid(new ChartArchiveBuilder().file("./c/Chart.yaml", "name: c\nversion: 1.0.0\n"), "starts with ./");
    }

    @Test
    void refusesArchivesWithoutChartYamlOrFiles() {
        assertInvalid(new ChartArchiveBuilder().file("c/values.yaml", "x: 1\n"), "has no c/Chart.yaml");
        assertInvalid(new ChartArchiveBuilder().dir("c/").dir("c/templates/"), "contains no files");
    }

    @Test
    void refusesDuplicateEntriesAndControlCharacters() {
        assertInvalid(
                chart("c", "1.0.0").file("c/Chart.yaml", "name: evil\nversion: 6.6.6\n"),
                "contains c/Chart.yaml more than once");
        assertInvalid(chart("c", "1.0.0").file("c/templates/x\n.yaml", "x"), "control character");
    }

    @Test
    void checksMetadataLikeHelm() {
        assertInvalid(
                chartYaml("c", "apiVersion: v2\nname: c\nversion: 1.x\n"),
                "chart.metadata.version \"1.x\" is not a valid semantic version");
        assertInvalid(chartYaml("c", "apiVersion: v2\nname: c\n"), "c/Chart.yaml: chart.metadata.version is required");
        assertInvalid(chartYaml("c", "apiVersion: v2\nversion: 1.0.0\n"), "chart.metadata.name is required");
        assertInvalid(chartYaml("..", "apiVersion: v2\nname: ..\nversion: 1.0.0\n"), "starts with ../");
        assertInvalid(chartYaml("c", "apiVersion: v2\nname: a/c\nversion: 1.0.0\n"), "cannot contain '/'");
        assertInvalid(chartYaml("c", "apiVersion: v9\nname: c\nversion: 1.0.0\n"), "apiVersion 'v9' is not supported");
        assertInvalid(
                chartYaml("c", "apiVersion: v2\nname: c\nversion: 1.0.0\ntype: plugin\n"),
                "must be application or library");
        assertInvalid(
                chartYaml("c", "apiVersion: v2\nname: c\nversion: 1.0.0\ndependencies:\n- name: a\n  alias: a.b\n"),
                "disallowed characters in the alias \"a.b\"");
        assertInvalid(
                chartYaml(
                        "c",
                        "apiVersion: v2\nname: c\nversion: 1.0.0\ndependencies:\n- name: a\n- name: b\n  alias: a\n"),
                "more than one dependency with name or alias \"a\"");
        assertInvalid(
                chartYaml("c", "apiVersion: v2\nname: c\nversion: 1.0.0\nmaintainers:\n- ~\n"),
                "'maintainers' contains an empty entry");
        assertInvalid(chartYaml("c", "apiVersion: v2\nname: c\nversion: [1]\n"), "'version' must be text, not a list");
        assertInvalid(chartYaml("c", "name: c\nversion: 1.0.0\n  bad: indent\n"), "c/Chart.yaml is not valid YAML");
    }

    @Test
    void requiresTheDirectoryToBeNamedAfterTheChart() {
        assertInvalid(
                chartYaml("wrong", "apiVersion: v2\nname: right\nversion: 1.0.0\n"),
                "The chart directory in the archive is 'wrong' but Chart.yaml names the chart 'right'");
    }

    @Test
    void followsHelmsSubchartRules() {
        assertInvalid(chart("c", "1.0.0").file("c/charts/README.md", "x"), "is a file directly in charts/");
        assertInvalid(
                chart("c", "1.0.0").file("c/charts/sub/values.yaml", "x: 1"),
                "c/charts/sub/ is a subchart directory without a Chart.yaml");
        assertInvalid(
                chart("c", "1.0.0").file("c/charts/sub/Chart.yaml", "apiVersion: v2\nname: sub\n"),
                "c/charts/sub/Chart.yaml: chart.metadata.version is required");
        assertInvalid(
                chart("c", "1.0.0").file("c/charts/x.tgz/Chart.yaml", "name: x"),
                "inside a directory named like a subchart archive");
        byte[] evilSubchart = chart("sub", "1.0.0")
                .symlink("sub/templates/x.yaml", "/etc/passwd")
                .toBytes();
        assertInvalid(
                chart("c", "1.0.0").file("c/charts/sub-1.0.0.tgz", evilSubchart),
                "c/charts/sub-1.0.0.tgz: the entry \"sub/templates/x.yaml\" is a symbolic link");
        assertInvalid(
                chart("c", "1.0.0").file("c/charts/sub-1.0.0.tgz", "not gzip"),
                "c/charts/sub-1.0.0.tgz: the chart archive is not gzip");
    }

    @Test
    void refusesSubchartArchivesNestedTooDeep() {
        byte[] nested = chart("c0", "1.0.0").toBytes();
        for (int i = 1; i <= ChartValidator.MAX_SUBCHART_DEPTH + 1; i++) {
            nested = chart("c" + i, "1.0.0")
                    .file("c" + i + "/charts/c" + (i - 1) + "-1.0.0.tgz", nested)
                    .toBytes();
        }
        assertInvalid(
                new ChartArchiveBuilder()
                        .file("top/Chart.yaml", "name: top\nversion: 1.0.0\n")
                        .file("top/charts/x.tgz", nested),
                "nested more than 10 deep");
    }

    @Test
    void refusesDataThatIsNotAGzippedTar() throws IOException {
        Path text = Files.writeString(dir.resolve("values.tgz"), "replicaCount: 1\n");
        assertThatThrownBy(() -> DEFAULTS.validate(text))
                .satisfies(reason(Reason.InvalidChart))
                .hasMessageContaining("not gzip-compressed data");
        Path empty = Files.write(dir.resolve("empty.tgz"), new byte[0]);
        assertThatThrownBy(() -> DEFAULTS.validate(empty))
                .satisfies(reason(Reason.InvalidChart))
                .hasMessageContaining("not gzip-compressed data");
    }

    @Test
    void refusesTruncatedOrCorruptGzip() throws IOException {
        byte[] good = chart("c", "1.0.0").zeros("c/files/pad", 200_000).toBytes();
        Path truncated = Files.write(dir.resolve("truncated.tgz"), Arrays.copyOf(good, good.length / 2));
        assertThatThrownBy(() -> DEFAULTS.validate(truncated))
                .satisfies(reason(Reason.InvalidChart))
                .hasMessageContaining("truncated or corrupt");
        byte[] badChecksum = good.clone();
        badChecksum[badChecksum.length - 6] ^= 0x55; // inside the CRC32 of the gzip trailer
        Path corrupt = Files.write(dir.resolve("corrupt.tgz"), badChecksum);
        assertThatThrownBy(() -> DEFAULTS.validate(corrupt))
                .satisfies(reason(Reason.InvalidChart))
                .hasMessageContaining("truncated or corrupt");
        Path intact = Files.write(dir.resolve("intact.tgz"), good);
        assertThat(DEFAULTS.validate(intact).name()).isEqualTo("c");
    }

    @Test
    void stopsASingleFileBombAtThePerFileLimit() {
        Path bomb = chart("c", "1.0.0").zeros("c/files/bomb.bin", 6 * MIB).writeTo(dir.resolve("bomb.tgz"));
        assertThat(bomb.toFile().length()).isLessThan(64 * 1024);
        assertThatThrownBy(() -> DEFAULTS.validate(bomb))
                .satisfies(reason(Reason.ChartTooLarge))
                .hasMessageContaining(
                        "c/files/bomb.bin is 6291456 bytes or more decompressed, over the per-file limit of 5242880")
                .hasMessageContaining("raise maxFileBytes");
    }

    @Test
    void stopsManyFilesAtTheTotalLimitWithinSeconds() {
        ChartArchiveBuilder builder = chart("c", "1.0.0");
        for (int i = 0; i < 21; i++) {
            builder.zeros("c/files/part" + i + ".bin", 5 * MIB); // each at the per-file limit, 105 MiB together
        }
        Path bomb = builder.writeTo(dir.resolve("bomb.tgz"));
        long start = System.nanoTime();
        assertThatThrownBy(() -> DEFAULTS.validate(bomb))
                .satisfies(reason(Reason.ChartTooLarge))
                .hasMessageContaining("The chart is over 104857600 bytes decompressed (Helm")
                .hasMessageContaining("reached at c/files/part19.bin");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
    }

    @Test
    void countsEveryFileAgainstTheTotal() {
        ChartValidator small = new ChartValidator(new ChartLimits(MIB, 600 * 1024, MIB, 100));
        Path tgz = chart("c", "1.0.0")
                .zeros("c/a.bin", 550 * 1024)
                .zeros("c/b.bin", 550 * 1024)
                .writeTo(dir.resolve("x.tgz"));
        assertThatThrownBy(() -> small.validate(tgz))
                .satisfies(reason(Reason.ChartTooLarge))
                .hasMessageContaining("reached at c/b.bin");
    }

    @Test
    void stopsABombHiddenAfterTheEndOfTheTarData() {
        ChartValidator small = new ChartValidator(new ChartLimits(MIB, MIB, MIB, 10));
        Path tgz = chart("c", "1.0.0").zerosAfterEnd(8 * MIB).writeTo(dir.resolve("x.tgz"));
        assertThatThrownBy(() -> small.validate(tgz))
                .satisfies(reason(Reason.ChartTooLarge))
                .hasMessageContaining("The decompressed chart archive is over its limit");
        assertThat(small.validate(chart("c", "1.0.0").zerosAfterEnd(64 * 1024).writeTo(dir.resolve("y.tgz")))
                        .name())
                .isEqualTo("c");
    }

    @Test
    void capsTheNumberOfEntries() {
        ChartArchiveBuilder builder = chart("c", "1.0.0");
        for (int i = 0; i < 20; i++) {
            builder.file("c/templates/empty" + i + ".yaml", "");
        }
        assertThatThrownBy(() -> new ChartValidator(new ChartLimits(MIB, MIB, MIB, 20))
                        .validate(builder.writeTo(dir.resolve("x.tgz"))))
                .satisfies(reason(Reason.ChartTooLarge))
                .hasMessageContaining("more than 20 entries. Remove files from the chart, or raise maxEntries");
    }

    @Test
    void capsTheCompressedSizeBeforeReading() {
        Path tgz = chart("c", "1.0.0").writeTo(dir.resolve("x.tgz"));
        assertThatThrownBy(() -> new ChartValidator(new ChartLimits(100, MIB, MIB, 10)).validate(tgz))
                .satisfies(reason(Reason.ChartTooLarge))
                .hasMessageContaining(
                        "compressed, over the limit of 100 bytes. Shrink the chart, or raise maxArchiveBytes");
    }

    @Test
    void acceptsLongNamesWrittenWithPaxHeaders() {
        String longName = "c/templates/" + "x".repeat(200) + ".yaml";
        Path tgz = chart("c", "1.0.0").file(longName, "kind: ConfigMap\n").writeTo(dir.resolve("x.tgz"));
        assertThat(DEFAULTS.validate(tgz).name()).isEqualTo("c");
    }

    @Test
    void defaultLimitsAreHelms() {
        assertThat(ChartLimits.defaults()).isEqualTo(new ChartLimits(20 * MIB, 5 * MIB, 100 * MIB, 10_000));
        assertThatThrownBy(() -> new ChartLimits(0, 1, 1, 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void messagesNameTheSettingThatRaisesALimit() {
        ChartLimits limits = ChartLimits.defaults();
        assertThat(limits.setting("maxTagListBytes")).isEqualTo("maxTagListBytes");
        assertThat(limits.namedAs(ChartLimits.CLI_FLAGS).setting("maxTagListBytes"))
                .isEqualTo("--max-tag-list-bytes");
        assertThat(limits.namedAs(ChartLimits.OPERATOR_SETTINGS).setting("maxArchiveBytes"))
                .isEqualTo(
                        "the operator setting helmoci.limits.max-archive-bytes (env HELMOCI_LIMITS_MAX_ARCHIVE_BYTES)");
        assertThatThrownBy(() -> new ChartValidator(new ChartLimits(100, MIB, MIB, 10, 10, MIB, ChartLimits.CLI_FLAGS))
                        .validate(chart("c", "1.0.0").writeTo(dir.resolve("named.tgz"))))
                .hasMessageContaining("raise --max-archive-bytes");
    }

    private ChartArchiveBuilder chartYaml(String directory, String chartYaml) {
        return new ChartArchiveBuilder().file(directory + "/Chart.yaml", chartYaml.getBytes(StandardCharsets.UTF_8));
    }

    private void assertInvalid(ChartArchiveBuilder archive, String explanation) {
        Path tgz = archive.writeTo(dir.resolve("chart-" + System.nanoTime() + ".tgz"));
        assertThatThrownBy(() -> DEFAULTS.validate(tgz))
                .satisfies(reason(Reason.InvalidChart))
                .hasMessageContaining(explanation);
    }

    private static java.util.function.Consumer<Throwable> reason(Reason reason) {
        return e -> assertThat(e)
                .isInstanceOfSatisfying(
                        EngineException.class, ee -> assertThat(ee.reason()).isEqualTo(reason));
    }
}
