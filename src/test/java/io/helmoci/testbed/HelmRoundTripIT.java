package io.helmoci.testbed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.helmoci.testbed.RegistryFixture.AuthMode;
import io.helmoci.testbed.RegistryFixture.RegistryRequest;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Real helm push then helm pull (Helm 3 and Helm 4) through every registry mode, on both registry generations: the chart comes back byte for byte. */
class HelmRoundTripIT {
    private static final String USER = "alice";
    private static final String PASSWORD = "s3cret-pass";

    enum Mode {
        ANONYMOUS_HTTP,
        TLS,
        HTPASSWD_TLS,
        TOKEN_TLS,
        TOKEN_HTTP;

        RegistryFixture.Builder configure(RegistryFixture.Builder builder) {
            return switch (this) {
                case ANONYMOUS_HTTP -> builder;
                case TLS -> builder.tls();
                case HTPASSWD_TLS -> builder.htpasswd().user(USER, PASSWORD);
                case TOKEN_TLS -> builder.tokenAuth().user(USER, PASSWORD);
                case TOKEN_HTTP -> builder.tokenAuth().plainHttp().user(USER, PASSWORD);
            };
        }
    }

    @TempDir
    static Path work;

    static Path chart;
    static ChartSpec spec =
            ChartSpec.of("roundtrip", "0.1.0+build.7").appVersion("1.2.3").description("round trip");

    @BeforeAll
    static void packageChart() {
        chart = new ChartFactory(new HelmCli(work.resolve("helm-factory")), work).create(spec);
        assertThat(chart.getFileName().toString()).isEqualTo("roundtrip-0.1.0+build.7.tgz");
    }

    static Stream<Arguments> registries() {
        return Stream.of(RegistryImplementation.values())
                .flatMap(impl -> Stream.of(Mode.values())
                        .flatMap(mode -> Stream.of(HelmMajor.values()).map(major -> Arguments.of(impl, mode, major))));
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("registries")
    void helmPushThenPullGivesTheSameChartBack(
            RegistryImplementation implementation, Mode mode, HelmMajor major, @TempDir Path dir) throws Throwable {
        try (RegistryFixture registry =
                mode.configure(RegistryFixture.builder(implementation)).start()) {
            try {
                System.out.printf(
                        "[report] %s %s %s started in %d ms%n",
                        implementation,
                        implementation.version(),
                        mode,
                        registry.lastStartupTime().toMillis());
                HelmCli helm = new HelmCli(dir.resolve("helm"), major);
                if (registry.authMode() != AuthMode.NONE) {
                    assertThat(helm.tryPush(registry, chart, "charts").exitCode())
                            .as("push without login")
                            .isNotZero();
                    helm.login(registry, USER, PASSWORD);
                }
                registry.resetRequests();

                HelmCli.Pushed pushed = helm.push(registry, chart, "charts");
                Path pulled = helm.pull(registry, "charts/roundtrip", spec.version(), dir.resolve("pulled"));

                assertThat(pushed.reference()).isEqualTo(registry.host() + "/charts/roundtrip:0.1.0_build.7");
                assertThat(Digests.sha256(pulled)).isEqualTo(Digests.sha256(chart));
                RawRegistryClient raw = registry.authMode() == AuthMode.NONE
                        ? RawRegistryClient.anonymous(registry)
                        : RawRegistryClient.withCredentials(registry, USER, PASSWORD);
                assertThat(raw.headManifestDigest("charts/roundtrip", "0.1.0_build.7"))
                        .isEqualTo(pushed.digest());
                assertThat(registry.requests())
                        .extracting(RegistryRequest::method, RegistryRequest::path, RegistryRequest::status)
                        .contains(tuple("PUT", "/v2/charts/roundtrip/manifests/0.1.0_build.7", 201));
                if (registry.authMode() == AuthMode.TOKEN) {
                    assertThat(registry.tokenServer().isHttps()).isEqualTo(registry.isTls());
                    assertThat(registry.tokenServer().requestCount(TokenServer.Grant.BASIC))
                            .isPositive();
                }
            } catch (Throwable failure) {
                throw registry.withLogAttached(failure);
            }
        }
    }
}
