package io.helmoci.engine.version;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Expected values were produced by Masterminds/semver v3.5.0 (the version Helm 3.22 links), through
 * a throw-away Go program calling {@code NewVersion}, {@code StrictNewVersion} and {@code Compare}.
 */
class HelmVersionTest {

    @ParameterizedTest(name = "lenient \"{0}\" -> {1}")
    @CsvSource(
            delimiter = '|',
            nullValues = "NONE",
            value = {
                "1.2|1.2.0",
                "v1.2.3|1.2.3",
                "1.2.3+build|1.2.3+build",
                "1|1.0.0",
                "v1|1.0.0",
                "01.2.3|1.2.3",
                "1.2.3-0a|1.2.3-0a",
                "1.2.3-rc.1+b.2|1.2.3-rc.1+b.2",
                "1.2.3+01|1.2.3+01",
                "1.2.3-01|NONE",
                "^1.2|NONE",
                "1.2.x|NONE",
                "*|NONE",
                "latest|NONE",
                "1.2.3_build|NONE",
                "V1.2.3|NONE",
                "1.2.3.4|NONE",
                "' 1.2.3'|NONE",
                "1.2.3-|NONE",
                "1.2.3-a..b|NONE",
                "1.2.3+b..c|NONE",
                "vv1|NONE",
                "18446744073709551616.0.0|NONE",
                // Masterminds accepts up to uint64; semver4j holds int: documented deviation.
                "2147483648.0.0|NONE",
            })
    void parsesLikeMastermindsNewVersion(String text, String expected) {
        Optional<HelmVersion> parsed = HelmVersion.lenient(text == null ? "" : text);
        assertThat(parsed.map(HelmVersion::toString).orElse(null)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "strict \"{0}\" -> {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "1.2.3|true",
                "v1.2.3|false",
                "1.2|false",
                "01.2.3|false",
                "1.2.3-rc.01|false",
                "1.2.3-rc.1+01|true",
                "1.2.3+b_1|false",
                "1.2.3-|false",
                "1.2.3--|true",
                "1.2.3-a-|true",
                "1.2.3-0|true",
                "1.2.3-00|false",
                "1.2.3-rc.1-x+b-1|true",
                // semver4j alone would strip the whitespace and accept these.
                "' 1.2.3'|false",
                "'1.2.3 '|false",
            })
    void parsesLikeMastermindsStrictNewVersion(String text, boolean valid) {
        assertThat(HelmVersion.isStrict(text)).isEqualTo(valid);
    }

    @ParameterizedTest(name = "{0} vs {1} = {2}")
    @CsvSource(
            delimiter = '|',
            value = {
                // semver4j alone says alpha10 > alpha9 and x10y > x9z; Masterminds compares text as ASCII.
                "1.0.0-alpha10|1.0.0-alpha9|-1",
                "1.0.0-x10y|1.0.0-x9z|-1",
                "1.0.0-1|1.0.0-a|-1",
                "1.0.0-a|1.0.0-a.1|-1",
                "1.0.0-99999999999999999999|1.0.0-a|-1",
                "1.0.0-99999999999999999999|1.0.0-100|1",
                "1.0.0+a|1.0.0+b|0",
                "1.0.0-B|1.0.0-a|-1",
                "1.0.0-a.b|1.0.0-a.1|1",
                "1.0.0-beta.10|1.0.0-beta.9|1",
                "1.0.0-rc.1|1.0.0|-1",
                "1.10.0|1.9.0|1",
                "2.0.0|10.0.0|-1",
            })
    void comparesLikeMasterminds(String left, String right, int expected) {
        HelmVersion a = HelmVersion.lenient(left).orElseThrow();
        HelmVersion b = HelmVersion.lenient(right).orElseThrow();
        assertThat(Integer.signum(a.compareTo(b))).isEqualTo(expected);
        assertThat(Integer.signum(b.compareTo(a))).isEqualTo(-expected);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {"v1.2|1|2|0||", "1.2.3-rc.1+b.2|1|2|3|rc.1|b.2"})
    void exposesParts(String text, int major, int minor, int patch, String pre, String build) {
        HelmVersion v = HelmVersion.lenient(text).orElseThrow();
        assertThat(v.major()).isEqualTo(major);
        assertThat(v.minor()).isEqualTo(minor);
        assertThat(v.patch()).isEqualTo(patch);
        assertThat(v.prerelease()).isEqualTo(pre == null ? "" : pre);
        assertThat(v.build()).isEqualTo(build == null ? "" : build);
        assertThat(v.isPrerelease()).isEqualTo(pre != null);
        assertThat(v.original()).isEqualTo(text);
    }
}
