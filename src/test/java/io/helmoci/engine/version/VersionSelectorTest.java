package io.helmoci.engine.version;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.helmoci.engine.EngineException;
import io.helmoci.engine.Reason;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The selection table was produced by Helm's own code path: a throw-away Go program (not committed)
 * ran helm v3.22 {@code Client.Tags} sorting and {@code GetTagMatchingVersionOrConstraint} on
 * github.com/Masterminds/semver/v3 v3.5.0, with {@code --devel} as {@code >0.0.0-0} for an empty
 * request and as {@code Constraints.IncludePrerelease} otherwise. Rows marked "literal" differ from
 * that listing path on purpose: Helm uses an exact version as the tag without listing
 * ({@code ValidateReference}), and a missing exact version is {@code VersionNotFound} here.
 */
class VersionSelectorTest {
    /** As a registry lists them: lexical order; with build metadata as _, prereleases and non-semver tags. */
    static final List<String> A = tags("0.1.0,0.9.0,1.0.0,1.0.0-rc.1,1.1.0,1.10.0,1.2.0,1.2.3,1.2.4,1.2.4-beta.1,"
            + "1.3.0-alpha,2.0.0,2.0.0-rc.1,2.1.0_build.5,3.0,latest,stable,v3.0.0");
    /** Prerelease precedence: numeric identifiers compare as numbers, alphanumeric ones as ASCII text. */
    static final List<String> B = tags("1.0.0,1.1.0-alpha10,1.1.0-alpha9,1.1.0-beta.10,1.1.0-beta.2,1.1.0-beta.9");
    /** Only prereleases. */
    static final List<String> F = tags("1.0.0-rc.1,1.0.0-rc.2");

    static final List<String> NON_SEMVER = tags("latest,stable,v1.0.0");
    static final List<String> BUILDS = tags("0.9.0,1.0.0_a,1.0.0_b,1.0.0_c");

    static Stream<Arguments> table() {
        return Stream.of(
                row(A, "", false, "2.1.0+build.5"),
                row(A, null, false, "2.1.0+build.5"),
                row(A, "*", false, "2.1.0+build.5"),
                row(A, "x", false, "2.1.0+build.5"),
                row(A, "^1.2", false, "1.10.0"),
                row(A, "^1", false, "1.10.0"),
                row(A, "^0.1", false, "0.1.0"),
                row(A, "^0.9.0", false, "0.9.0"),
                row(A, "^0.0", false, "!NoMatchingVersion"),
                row(A, "^*", false, "!NoMatchingVersion"), // Masterminds quirk: ^* is 0.0.x
                row(A, "~1.2.3", false, "1.2.4"),
                row(A, "~1.2", false, "1.2.4"),
                row(A, "~1", false, "1.10.0"),
                row(A, "~0", false, "0.9.0"),
                row(A, "~0.0.0", false, "2.1.0+build.5"), // npm: <0.1.0; Masterminds: anything
                row(A, "~*", false, "2.1.0+build.5"),
                row(A, "~>1.2", false, "1.2.4"),
                row(A, ">=1.0.0 <2.0.0", false, "1.10.0"),
                row(A, ">=1.0, <2.0", false, "1.10.0"),
                row(A, ">= 1.0 ,  < 2.0", false, "1.10.0"),
                row(A, "1.2.x", false, "1.2.4"),
                row(A, "1.x", false, "1.10.0"),
                row(A, "1.X", false, "1.10.0"),
                row(A, "1.*", false, "1.10.0"),
                row(A, "1", false, "1.10.0"),
                row(A, "^0.1 || ^2.0", false, "2.1.0+build.5"),
                row(A, "<1 || >=2", false, "2.1.0+build.5"),
                row(A, "1.2 - 1.4.5", false, "1.2.4"),
                row(A, "1.2 - 1.2", false, "1.2.4"),
                row(A, "0.1 - 1.2.3", false, "1.2.3"),
                row(A, "=1.2.3", false, "1.2.3"),
                row(A, "1.2.3", false, "1.2.3"),
                row(A, "!=2.1.0", false, "2.0.0"),
                row(A, "!=2.1.0 >=2", false, "2.0.0"),
                row(A, "!=2.x", false, "1.10.0"),
                row(A, "!=1.x", false, "2.1.0+build.5"),
                row(A, "v1.2.3", false, "1.2.3"),
                row(A, "=v1.2.3", false, "1.2.3"),
                row(A, "^v1.2", false, "1.10.0"),
                row(A, "v1.x", false, "1.10.0"),
                row(A, "2.1.0", false, "2.1.0+build.5"),
                row(A, "2.1.0+build.5", false, "2.1.0+build.5"),
                row(A, "2.1.0_build.5", false, "2.1.0+build.5"), // tag spelling accepted (ours)
                row(A, "2.1.0+other", false, "2.1.0+build.5"),
                row(A, "=2.1.0+other", false, "2.1.0+build.5"),
                row(A, ">1.2", false, "2.1.0+build.5"),
                row(A, ">1.2.x", false, "2.1.0+build.5"),
                row(A, ">1", false, "2.1.0+build.5"),
                row(A, "<1.2", false, "1.1.0"),
                row(A, "<=1.2", false, "1.2.4"),
                row(A, "<=1.2.3", false, "1.2.3"),
                row(A, ">=1.2.x", false, "2.1.0+build.5"),
                row(A, "=>1.2", false, "2.1.0+build.5"),
                row(A, "=<1.2", false, "1.2.4"),
                row(A, "<0.1.0", false, "!NoMatchingVersion"),
                row(A, ">2.1.0", false, "!NoMatchingVersion"),
                row(A, "^5", false, "!NoMatchingVersion"),
                row(A, "latest", false, "!InvalidVersion"),
                row(A, "1.2", false, "1.2.4"),
                row(A, "3.0", false, "3.0"), // literal (listing path: no match)
                row(A, "v3.0.0", false, "v3.0.0"), // literal (listing path: no match)
                row(A, ">=3", false, "!NoMatchingVersion"), // non-semver tags never match a range
                row(A, "1.2.4-beta.1", false, "1.2.4-beta.1"),
                row(A, "^1.2.4-beta.0", false, "1.10.0"),
                row(A, ">=1.0.0-0 <2.0.0", false, "2.0.0-rc.1"),
                row(A, "1.3.0-alpha", false, "1.3.0-alpha"),
                row(A, "~1.3.0-0", false, "1.3.0-alpha"),
                row(A, "1.2.5", false, "!VersionNotFound"), // literal (listing path: no match)
                row(A, "1.2.3.4", false, "!InvalidVersion"),
                row(A, ">= 1.x", false, "2.1.0+build.5"),
                row(A, "foo", false, "!InvalidVersion"),
                row(A, " ^1.2 ", false, "1.10.0"),
                row(A, "^1.2,", false, "!InvalidVersion"),
                row(A, ",^1.2", false, "!InvalidVersion"),
                row(A, "1.2 -1.3", false, "!InvalidVersion"),
                row(A, "1.2-1.3", false, "1.2.4"), // 1.2 with prerelease "1.3", not a range
                row(A, ">=1.0.0 || ", false, "!InvalidVersion"),
                row(A, "||", false, "!InvalidVersion"),
                row(A, "^1.2 ~1.2.3", false, "1.2.4"),
                row(A, ">=1.2 <1.2.3 || >=2 <2.1", false, "2.0.0"),
                row(A, "", true, "2.1.0+build.5"),
                row(A, "^1.2", true, "1.10.0"),
                row(A, "~1.2.4", true, "1.2.4"),
                row(A, ">=1.0.0 <2.0.0", true, "2.0.0-rc.1"),
                row(A, "<2.0.0", true, "2.0.0-rc.1"),
                row(A, "*", true, "2.1.0+build.5"),
                row(A, "1.2.x", true, "1.2.4"),
                row(A, "^1.3", true, "1.10.0"),
                row(A, ">1.2.4 <1.10.0", false, "!NoMatchingVersion"),
                row(A, ">1.2.4 <1.10.0", true, "1.3.0-alpha"),
                row(B, "", false, "1.0.0"),
                row(B, "", true, "1.1.0-beta.10"),
                row(B, "~1.1.0-alpha", false, "1.1.0-beta.10"),
                row(B, "~1.1.0-alpha", true, "1.1.0-beta.10"),
                row(B, "^1.1.0-beta.3", false, "1.1.0-beta.10"),
                row(B, "^1.1.0-beta.3", true, "1.1.0-beta.10"),
                row(B, "<1.1.0-beta.3", false, "1.1.0-beta.2"),
                row(B, "<1.1.0-beta.3", true, "1.1.0-beta.2"),
                row(B, ">1.0.0", false, "!NoMatchingVersion"),
                row(B, ">1.0.0", true, "1.1.0-beta.10"),
                row(B, "<1.1.0-beta", true, "1.1.0-alpha9"),
                row(F, "", false, "!NoMatchingVersion"),
                row(F, "", true, "1.0.0-rc.2"),
                row(F, "^1.0.0-0", false, "1.0.0-rc.2"),
                row(F, "^1.0.0-0", true, "1.0.0-rc.2"),
                row(F, "1.0.0-rc.1", false, "1.0.0-rc.1"),
                row(F, "1.0.0-rc.1", true, "1.0.0-rc.1"),
                row(F, "^1.0", false, "!NoMatchingVersion"),
                row(F, "^1.0", true, "!NoMatchingVersion"),
                row(F, ">=0.9 <1.0", false, "!NoMatchingVersion"),
                row(F, ">=0.9 <1.0", true, "1.0.0-rc.2"),
                row(F, "1.0.0", false, "!VersionNotFound"),
                row(F, "1.0.0", true, "!VersionNotFound"),
                row(NON_SEMVER, "", false, "!NoMatchingVersion"),
                row(NON_SEMVER, "latest", false, "!InvalidVersion"),
                row(NON_SEMVER, "v1.0.0", false, "v1.0.0"), // literal
                row(BUILDS, "", false, "1.0.0+a"),
                row(BUILDS, "1.0.0", false, "1.0.0+a"),
                row(BUILDS, "1.0.0+c", false, "1.0.0+c"));
    }

    @ParameterizedTest(name = "[{index}] {1} (prereleases: {2}) -> {3}")
    @MethodSource("table")
    void selectsLikeHelm(List<String> tags, String requested, boolean includePrereleases, String expected) {
        if (expected.startsWith("!")) {
            assertThatThrownBy(() -> VersionSelector.select(tags, requested, includePrereleases))
                    .isInstanceOfSatisfying(
                            EngineException.class,
                            e -> assertThat(e.reason()).isEqualTo(Reason.valueOf(expected.substring(1))));
        } else {
            VersionSelector.Selection selection = VersionSelector.select(tags, requested, includePrereleases);
            assertThat(selection.version()).isEqualTo(expected);
            assertThat(selection.tag()).isEqualTo(VersionSelector.tagFor(expected));
            assertThat(tags).contains(selection.tag());
        }
    }

    @Test
    void listsStrictSemverTagsNewestFirst() {
        assertThat(VersionSelector.availableVersions(A))
                .containsExactly(
                        "2.1.0+build.5",
                        "2.0.0",
                        "2.0.0-rc.1",
                        "1.10.0",
                        "1.3.0-alpha",
                        "1.2.4",
                        "1.2.4-beta.1",
                        "1.2.3",
                        "1.2.0",
                        "1.1.0",
                        "1.0.0",
                        "1.0.0-rc.1",
                        "0.9.0",
                        "0.1.0");
        assertThat(VersionSelector.availableVersions(B))
                .containsExactly(
                        "1.1.0-beta.10", "1.1.0-beta.9", "1.1.0-beta.2", "1.1.0-alpha9", "1.1.0-alpha10", "1.0.0");
        assertThat(VersionSelector.availableVersions(NON_SEMVER)).isEmpty();
    }

    @Test
    void keepsRegistryOrderForVersionsDifferingOnlyInBuildMetadata() {
        // Masterminds/Helm gave this order for 20 such tags (sort.Sort happens to keep it).
        List<String> tags = IntStream.range(0, 20)
                .mapToObj(i -> "1.0.0_" + (char) ('a' + i))
                .toList();
        assertThat(VersionSelector.availableVersions(tags))
                .containsExactlyElementsOf(
                        tags.stream().map(VersionSelector::versionFor).toList());
        assertThat(VersionSelector.availableVersions(BUILDS)).containsExactly("1.0.0+a", "1.0.0+b", "1.0.0+c", "0.9.0");
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "1.2|true",
                "v1.2.3|true",
                "1.2.3+build|true",
                "1|true",
                "1.2.3-rc.1|true",
                "^1.2|false",
                "1.2.x|false",
                "*|false",
                "''|false",
                "latest|false",
                ">=1.0.0|false",
                "1.2.3_build|false",
                "1.2 - 1.3|false"
            })
    void knowsWhichRequestsHelmUsesLiterally(String requested, boolean exact) {
        assertThat(VersionSelector.isExactVersion(requested)).isEqualTo(exact);
    }

    @Test
    void convertsBetweenVersionsAndTags() {
        assertThat(VersionSelector.tagFor("1.2.3+build.5")).isEqualTo("1.2.3_build.5");
        assertThat(VersionSelector.versionFor("1.2.3_build.5")).isEqualTo("1.2.3+build.5");
        assertThat(VersionSelector.tagFor("1.2.3")).isEqualTo("1.2.3");
    }

    @Test
    void noMatchNamesNearestVersionsAndExcludedPrereleases() {
        assertThatThrownBy(() -> VersionSelector.select(A, ">1.2.4 <1.10.0", false))
                .isInstanceOfSatisfying(EngineException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.NoMatchingVersion);
                    assertThat(e.getMessage())
                            .contains(
                                    "\">1.2.4 <1.10.0\"",
                                    "Prereleases were excluded",
                                    "1.3.0-alpha would match",
                                    "nearest to 1.2.4: 2.0.0, 2.0.0-rc.1, 1.10.0, 1.3.0-alpha, 1.2.4 (same or higher)",
                                    "1.2.4-beta.1, 1.2.3, 1.2.0, 1.1.0, 1.0.0 (lower)");
                });
    }

    @Test
    void missingExactVersionIsVersionNotFoundWithNeighbours() {
        assertThatThrownBy(() -> VersionSelector.select(A, "1.2.5", false))
                .isInstanceOfSatisfying(EngineException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.VersionNotFound);
                    assertThat(e.getMessage())
                            .contains("tag \"1.2.5\"", "1.2.4, 1.2.4-beta.1, 1.2.3", "1.10.0, 1.3.0-alpha")
                            .doesNotContain("Prereleases were excluded");
                });
    }

    @Test
    void invalidRangeIsInvalidVersionAndSaysWhatToWrite() {
        assertThatThrownBy(() -> VersionSelector.select(A, "latest", false))
                .isInstanceOfSatisfying(EngineException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.InvalidVersion);
                    assertThat(e.getMessage())
                            .contains("\"latest\"", "improper constraint", "^1.2", "pin those by digest");
                });
    }

    @Test
    void hintsForRepositoriesWithoutUsableTags() {
        assertThat(VersionSelector.nearestVersionsHint(List.of(), "1.0.0")).isEqualTo("The repository has no tags.");
        assertThat(VersionSelector.nearestVersionsHint(tags("a,b,c,d,e,f,latest"), "1.0.0"))
                .contains("no semver tags (found a, b, c, d, e and 2 more)", "pin any other tag by digest");
        assertThat(VersionSelector.nearestVersionsHint(A, "*"))
                .isEqualTo("Newest available versions: 2.1.0+build.5, 2.0.0, 2.0.0-rc.1, 1.10.0, 1.3.0-alpha.");
        assertThat(VersionSelector.nearestVersionsHint(A, ">=1.0, <2"))
                .isEqualTo(
                        "Available versions nearest to 1.0.0: 1.2.4-beta.1, 1.2.3, 1.2.0, 1.1.0, 1.0.0 (same or higher);"
                                + " 1.0.0-rc.1, 0.9.0, 0.1.0 (lower); 14 versions in total, newest 2.1.0+build.5.");
        assertThat(VersionSelector.nearestVersionsHint(A, "9.0.0"))
                .isEqualTo(
                        "Available versions nearest to 9.0.0: 2.1.0+build.5, 2.0.0, 2.0.0-rc.1, 1.10.0, 1.3.0-alpha (lower);"
                                + " 14 versions in total, newest 2.1.0+build.5.");
    }

    private static Arguments row(List<String> tags, String requested, boolean includePrereleases, String expected) {
        return Arguments.of(tags, requested, includePrereleases, expected);
    }

    private static List<String> tags(String csv) {
        return Arrays.asList(csv.split(","));
    }
}
