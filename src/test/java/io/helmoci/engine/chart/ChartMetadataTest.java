package io.helmoci.engine.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.helmoci.engine.EngineException;
import io.helmoci.engine.Reason;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ChartMetadataTest {

    @Test
    void readsHelmsConfigBlob() {
        // The config of helm's registry_test.go testPull, plus the fields helm push writes for a full chart.
        ChartMetadata config = ChartMetadata.fromConfigJson(bytes("""
                {"name":"signtest","home":"https://h","sources":["https://s"],"version":"0.1.0+b.1",
                 "description":"A Helm chart for Kubernetes","keywords":["k"],"maintainers":[{"name":"m"}],
                 "icon":"https://i","apiVersion":"v2","appVersion":"1.16.0","deprecated":true,
                 "annotations":{"a":"b"},"kubeVersion":">=1.20.0","type":"application",
                 "dependencies":[{"name":"redis","version":"17.x","repository":"oci://r/c","condition":"redis.enabled",
                                  "tags":["t"],"enabled":true,"import-values":["x"],"alias":"cache"}],
                 "unknownField":{"ignored":true}}
                """));
        assertThat(config)
                .isEqualTo(new ChartMetadata(
                        "v2",
                        "signtest",
                        "0.1.0+b.1",
                        "1.16.0",
                        "A Helm chart for Kubernetes",
                        "application",
                        ">=1.20.0",
                        true,
                        "https://h",
                        "https://i",
                        List.of("https://s"),
                        List.of("k"),
                        List.of(new ChartMetadata.Dependency("redis", "17.x", "oci://r/c", "redis.enabled", "cache")),
                        Map.of("a", "b")));
    }

    @Test
    void configBlobNeedsNoFieldsAndGetsNoDefaults() {
        ChartMetadata empty = ChartMetadata.fromConfigJson(bytes("{}"));
        assertThat(empty.apiVersion()).isNull();
        assertThat(empty.name()).isNull();
        assertThat(empty.sources()).isEmpty();
        assertThat(empty.dependencies()).isEmpty();
        assertThat(empty.annotations()).isEmpty();
    }

    @Test
    void matchesKeysCaseInsensitivelyAndKeepsTheLastDuplicateLikeGo() {
        ChartMetadata config =
                ChartMetadata.fromConfigJson(bytes("{\"NAME\":\"a\",\"Version\":\"1.0.0\",\"name\":\"b\"}"));
        assertThat(config.name()).isEqualTo("b");
        assertThat(config.version()).isEqualTo("1.0.0");
        // helm show chart on "Name: foo\nVERSION: 1.0.0" and on a repeated name: key prints the same.
        ChartMetadata yaml =
                ChartMetadata.fromChartYaml(bytes("apiVersion: v2\nName: foo\nname: bar\nVERSION: 1.0.0\n"));
        assertThat(yaml.name()).isEqualTo("bar");
        assertThat(yaml.version()).isEqualTo("1.0.0");
    }

    @ParameterizedTest(name = "[{index}] {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "not json|is not valid JSON",
                "''|is empty",
                "[1,2]|the blob must be a mapping of keys to values, not a list",
                "{\"name\":1}|'name' must be text, not a number",
                "{\"version\":1.0}|'version' must be text, not a number",
                "{\"deprecated\":\"yes\"}|'deprecated' must be true or false, not text",
                "{\"sources\":\"x\"}|'sources' must be a list of text values, not text",
                "{\"annotations\":[\"x\"]}|'annotations' must be a mapping of text to text, not a list",
                "{\"annotations\":{\"a\":{\"b\":1}}}|'annotations.a' must be text, not a mapping",
                "{\"dependencies\":{}}|'dependencies' must be a list, not a mapping",
                "{\"dependencies\":[null]}|'dependencies' contains an empty entry",
                "{\"dependencies\":[\"redis\"]}|each entry of 'dependencies' must be a mapping",
            })
    void refusesMalformedConfigBlobs(String json, String explanation) {
        assertThatThrownBy(() -> ChartMetadata.fromConfigJson(bytes(json)))
                .isInstanceOfSatisfying(EngineException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.InvalidChart);
                    assertThat(e.getMessage())
                            .startsWith("The chart's config blob")
                            .contains(explanation)
                            .contains("helm push");
                });
    }

    @Test
    void readsChartYamlScalarsAsHelmDoes() {
        // Expected values printed by `helm show chart` (v3.22.0) for this Chart.yaml.
        ChartMetadata md = ChartMetadata.fromChartYaml(bytes("""
                apiVersion: v2
                name: foo
                version: 1.0
                appVersion: 1.10
                description: 1e3
                home: 0x1F
                icon: 010
                kubeVersion: true
                keywords: [1.50, yes, ~]
                deprecated: yes
                annotations:
                  a: 1.0
                  b: null
                """));
        assertThat(md.version()).isEqualTo("1");
        assertThat(md.appVersion()).isEqualTo("1.1");
        assertThat(md.description()).isEqualTo("1000");
        assertThat(md.home()).isEqualTo("31");
        assertThat(md.icon()).isEqualTo("8");
        assertThat(md.kubeVersion()).isEqualTo("true");
        assertThat(md.keywords()).containsExactly("1.5", "true", "");
        assertThat(md.deprecated()).isTrue();
        assertThat(md.annotations()).containsExactly(Map.entry("a", "1"), Map.entry("b", ""));
    }

    /** Expected values from Go's strconv.FormatFloat(f, 'g', -1, 32), printed by a throw-away Go program. */
    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "1.0|1",
                "1.5|1.5",
                "1000.0|1000",
                "100000.0|100000",
                "1000000.0|1e+06",
                "1234567.0|1.234567e+06",
                "0.0001|0.0001",
                "0.00001|1e-05",
                "-2.5|-2.5",
                "0.0|0",
                "16777217.0|1.6777216e+07",
                "1.1|1.1",
                "0.1|0.1",
                "123456.7|123456.7"
            })
    void formatsFloatsLikeGoFormatFloat32(double value, String expected) {
        assertThat(MetadataReader.goFloat32(value)).isEqualTo(expected);
    }

    @Test
    void sanitisesTextLikeHelm() {
        ChartMetadata md = ChartMetadata.fromChartYaml(
                bytes(
                        "name: \"a\\tb\\u00a0c\\u0007d\"\nversion: \"1.0.0\"\ndescription: \"line1\\nline2\"\nkeywords: [\"x\\u200by\"]\n"));
        assertThat(md.name()).isEqualTo("a b cd");
        assertThat(md.description()).isEqualTo("line1 line2");
        assertThat(md.keywords()).containsExactly("xy"); // zero-width space is a format character, not printable
        assertThat(md.apiVersion()).isEqualTo("v1");
    }

    @Test
    void emptyChartYamlIsAnEmptyV1Chart() {
        ChartMetadata md = ChartMetadata.fromChartYaml(new byte[0]);
        assertThat(md.apiVersion()).isEqualTo("v1");
        assertThat(md.name()).isNull();
    }

    @Test
    void agreementPassesForAConsistentChart() {
        ChartMetadata archive = metadata("podinfo", "6.5.0+build.1");
        assertThatCode(() -> {
                    ChartValidator.checkAgreement(
                            archive, metadata("podinfo", "6.5.0+build.1"), "podinfo", "6.5.0_build.1");
                    ChartValidator.checkAgreement(archive, null, "podinfo", "6.5.0+build.1");
                    ChartValidator.checkAgreement(archive, null, "podinfo", null);
                })
                .doesNotThrowAnyException();
    }

    @Test
    void agreementNamesWhereEachValueCameFrom() {
        ChartMetadata archive = metadata("podinfo", "6.5.0");
        assertMismatch(
                () -> ChartValidator.checkAgreement(archive, null, "nginx", null),
                "The chart archive's Chart.yaml names the chart 'podinfo', but the repository's last path segment is 'nginx'");
        assertMismatch(
                () -> ChartValidator.checkAgreement(archive, metadata("other", "6.5.0"), "podinfo", null),
                "The manifest's config blob names the chart 'other', but the archive's Chart.yaml names it 'podinfo'");
        assertMismatch(
                () -> ChartValidator.checkAgreement(archive, metadata("podinfo", "6.4.0"), "podinfo", null),
                "The manifest's config blob has version '6.4.0', but the archive's Chart.yaml has version '6.5.0'");
        assertMismatch(
                () -> ChartValidator.checkAgreement(archive, null, "podinfo", "6.5.1"),
                "The tag or requested version is '6.5.1', but the archive's Chart.yaml has version '6.5.0'. Tag the chart with"
                        + " its version (tag 6.5.0)");
        assertMismatch(() -> ChartValidator.checkAgreement(archive, null, "podinfo", "v6.5.0"), "'v6.5.0'");
    }

    private static void assertMismatch(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String message) {
        assertThatThrownBy(call).isInstanceOfSatisfying(EngineException.class, e -> {
            assertThat(e.reason()).isEqualTo(Reason.ChartMismatch);
            assertThat(e.getMessage()).contains(message);
        });
    }

    private static ChartMetadata metadata(String name, String version) {
        return new ChartMetadata(
                "v2", name, version, null, null, null, null, false, null, null, null, null, null, null);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
