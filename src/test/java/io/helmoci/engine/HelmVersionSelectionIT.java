package io.helmoci.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.helmoci.engine.registry.Credentials;
import io.helmoci.engine.registry.RegistryOptions;
import io.helmoci.engine.version.VersionSelector;
import io.helmoci.testbed.ChartFactory;
import io.helmoci.testbed.ChartSpec;
import io.helmoci.testbed.HelmCli;
import io.helmoci.testbed.HelmMajor;
import io.helmoci.testbed.OciManifests;
import io.helmoci.testbed.ProcessRunner;
import io.helmoci.testbed.RawRegistryClient;
import io.helmoci.testbed.RegistryExtension;
import io.helmoci.testbed.RegistryFixture;
import io.helmoci.testbed.RegistryImplementation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The engine picks the same version as the real {@code helm pull} (Helm 3 and Helm 4) on the same tag list: build
 * metadata stored as {@code _}, prereleases, non-semver tags, every range syntax. The engine reads
 * the tag list two tags a page, so the registry's {@code Link} pagination is followed for real.
 */
class HelmVersionSelectionIT {
    private static final String REPO = "selection/demo";
    private static final List<String> VERSIONS = List.of(
            "0.9.0",
            "1.0.0",
            "1.0.0+build.1",
            "1.2.0",
            "1.2.3",
            "1.3.0-rc.1",
            "1.10.0",
            "2.0.0-alpha.1",
            "2.0.0",
            "2.1.0+build.7");
    /** Tags helm never considers (not strict semver), pointing at a real chart manifest. */
    private static final List<String> NON_SEMVER_TAGS = List.of("latest", "v9.0.0", "9.0", "stable");

    @RegisterExtension
    static RegistryExtension registry =
            RegistryFixture.builder(RegistryImplementation.DISTRIBUTION_V3).extension();

    @TempDir
    static Path work;

    static HelmCli helm;
    static ChartPuller puller;

    @BeforeAll
    static void pushTagList() {
        helm = new HelmCli(work.resolve("helm"));
        ChartFactory charts = new ChartFactory(helm, work);
        for (String version : VERSIONS) {
            helm.push(registry, charts.create(ChartSpec.of("demo", version)), "selection");
        }
        RawRegistryClient raw = RawRegistryClient.anonymous(registry);
        byte[] manifest = raw.getManifest(REPO, "2.0.0").body();
        for (String tag : NON_SEMVER_TAGS) {
            raw.pushManifest(REPO, tag, OciManifests.OCI_MANIFEST, manifest);
        }
        puller = new ChartPuller(work.resolve("store"));
    }

    private static final List<String> RANGES = List.of(
            "*",
            "^1.0",
            "^1.2.1",
            "~1.2.0",
            ">=1.0.0 <2.0.0",
            ">=1.0, <2.0",
            "1.2.x",
            "1.x",
            "2.x",
            "<1.0.0 || >=2.1.0",
            "1.0.0 - 1.2.3",
            "!=2.1.0+build.7",
            ">1.2.x",
            "^1.3.0-0",
            ">=2.0.0-0",
            "~1.0.0",
            "=1.2.3",
            "1.0.0+build.1",
            "1.10.0",
            "<=1.10");

    static Stream<Arguments> rangesForEachHelm() {
        return Stream.of(HelmMajor.values()).flatMap(major -> RANGES.stream().map(range -> Arguments.of(major, range)));
    }

    @ParameterizedTest(name = "{0} --version \"{1}\"")
    @MethodSource("rangesForEachHelm")
    void pickTheVersionHelmPicks(HelmMajor major, String requested) {
        String helmVersion = helmPull(major, List.of("--version", requested));
        assertThat(enginePick(requested, false))
                .as("%s picked %s", major, helmVersion)
                .isEqualTo(helmVersion);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(HelmMajor.class)
    void noVersionMeansTheNewestStableAndDevelAdmitsPrereleases(HelmMajor major) {
        assertThat(enginePick(null, false))
                .isEqualTo(helmPull(major, List.of()))
                .isEqualTo("2.1.0+build.7");
        assertThat(enginePick(null, true)).isEqualTo(helmPull(major, List.of("--devel")));
    }

    @Test
    void theTagListIsReadPageByPageAndNonSemverTagsAreNeverAvailable() {
        registry.resetRequests();
        Resolution resolution = puller.inspect(request(">=0.0.0", false));

        long pages = registry.requests().stream()
                .filter(r -> r.path().contains("/tags/list"))
                .count();
        int tags = VERSIONS.size() + NON_SEMVER_TAGS.size();
        assertThat(pages).as("tag-list pages of two").isEqualTo(tags / 2 + 1);
        assertThat(resolution.availableVersions())
                .doesNotContainAnyElementsOf(NON_SEMVER_TAGS)
                .startsWith("2.1.0+build.7", "2.0.0", "2.0.0-alpha.1", "1.10.0");
    }

    private static String enginePick(String requested, boolean devel) {
        return puller.inspect(request(requested, devel)).version();
    }

    private static PullRequest request(String requested, boolean devel) {
        RegistryOptions options = new RegistryOptions(
                Credentials.anonymous(),
                PullerTestbed.transport(registry).toBuilder().tagPageSize(2).build());
        return new PullRequest(PullerTestbed.ref(registry, REPO), requested, null, devel, options);
    }

    /** What the real helm pulls: the version behind the tag in the written file's name ({@code demo-<tag>.tgz}). */
    private static String helmPull(HelmMajor major, List<String> flags) {
        try {
            Path dest = Files.createTempDirectory(work, "pull");
            List<String> args = new ArrayList<>(List.of("pull", registry.ociUrl(REPO), "-d", dest.toString()));
            args.addAll(flags);
            args.addAll(HelmCli.connectionFlags(registry));
            ProcessRunner.Result result =
                    new HelmCli(work.resolve("helm-" + major), major).run(args).orThrow();
            try (var files = Files.list(dest)) {
                String name = files.map(p -> p.getFileName().toString())
                        .findFirst()
                        .orElseThrow(() -> new AssertionError("helm pull wrote nothing: " + result));
                return VersionSelector.versionFor(name.substring("demo-".length(), name.length() - ".tgz".length()));
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
