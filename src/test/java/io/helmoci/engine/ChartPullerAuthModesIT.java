package io.helmoci.engine;

import static io.helmoci.engine.PullerTestbed.options;
import static io.helmoci.engine.PullerTestbed.ref;
import static io.helmoci.engine.PullerTestbed.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.helmoci.engine.registry.Credentials;
import io.helmoci.engine.registry.DockerConfigCredentials;
import io.helmoci.engine.registry.MediaTypes;
import io.helmoci.testbed.ChartFactory;
import io.helmoci.testbed.ChartSpec;
import io.helmoci.testbed.Digests;
import io.helmoci.testbed.HelmCli;
import io.helmoci.testbed.HelmMajor;
import io.helmoci.testbed.OrasCli;
import io.helmoci.testbed.RawRegistryClient;
import io.helmoci.testbed.RegistryFixture;
import io.helmoci.testbed.RegistryFixture.RegistryRequest;
import io.helmoci.testbed.RegistryImplementation;
import io.helmoci.testbed.TokenServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The engine pulls what the real helm and oras pushed, from both real registry generations in every
 * auth mode, and gets the bytes {@code helm pull} gets; the manifest digest is the registry's
 * {@code Docker-Content-Digest}; a repeated pull of an unchanged chart costs one HEAD.
 */
class ChartPullerAuthModesIT {
    private static final String USER = "alice";
    private static final String PASSWORD = "s3cret-pass";

    enum Mode {
        ANONYMOUS_HTTP,
        TLS,
        BASIC_TLS,
        TOKEN_ANONYMOUS,
        TOKEN_CREDENTIALS;

        RegistryFixture.Builder configure(RegistryFixture.Builder builder) {
            return switch (this) {
                case ANONYMOUS_HTTP -> builder;
                case TLS -> builder.tls();
                case BASIC_TLS -> builder.htpasswd().user(USER, PASSWORD);
                case TOKEN_ANONYMOUS ->
                    builder.tokenAuth(tokens -> tokens.anonymousPull(true)).user(USER, PASSWORD);
                case TOKEN_CREDENTIALS -> builder.tokenAuth().user(USER, PASSWORD);
            };
        }

        Credentials engineCredentials() {
            return this == BASIC_TLS || this == TOKEN_CREDENTIALS
                    ? Credentials.basic(USER, PASSWORD)
                    : Credentials.anonymous();
        }

        boolean needsLoginToPush() {
            return this == BASIC_TLS || this == TOKEN_ANONYMOUS || this == TOKEN_CREDENTIALS;
        }
    }

    @TempDir
    static Path work;

    static Path chart;
    static final ChartSpec SPEC =
            ChartSpec.of("webapp", "1.4.2+build.9").appVersion("2.0.0").description("engine IT");

    @BeforeAll
    static void packageChart() {
        chart = new ChartFactory(new HelmCli(work.resolve("helm-factory")), work).create(SPEC);
    }

    static Stream<Arguments> registries() {
        return Stream.of(RegistryImplementation.values())
                .flatMap(impl -> Stream.of(Mode.values())
                        .flatMap(mode -> Stream.of(HelmMajor.values()).map(major -> Arguments.of(impl, mode, major))));
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("registries")
    void pullsWhatHelmAndOrasPushed(
            RegistryImplementation implementation, Mode mode, HelmMajor major, @TempDir Path dir) throws Throwable {
        try (RegistryFixture registry =
                        mode.configure(RegistryFixture.builder(implementation)).start();
                ChartPuller puller = new ChartPuller(dir.resolve("store"))) {
            try {
                HelmCli helm = new HelmCli(dir.resolve("helm"), major);
                OrasCli oras = new OrasCli(dir.resolve("oras"));
                if (mode.needsLoginToPush()) {
                    helm.login(registry, USER, PASSWORD);
                    oras.login(registry, USER, PASSWORD);
                }
                HelmCli.Pushed pushed = helm.push(registry, chart, "charts");
                oras.pushHelmChart(registry, "oras/webapp:" + SPEC.tag(), chart).orThrow();
                Path helmPulled = helm.pull(registry, "charts/webapp", SPEC.version(), dir.resolve("helm-pulled"));
                RawRegistryClient raw = mode.engineCredentials().isAnonymous() && !mode.needsLoginToPush()
                        ? RawRegistryClient.anonymous(registry)
                        : RawRegistryClient.withCredentials(registry, USER, PASSWORD);

                // credentials as 'helm registry login' and 'oras login' wrote them (Docker config.json)
                Credentials fromHelm = mode.engineCredentials();
                Credentials orasCredentials = mode.engineCredentials();
                if (!fromHelm.isAnonymous()) {
                    fromHelm = DockerConfigCredentials.fromJson(Files.readAllBytes(helm.registryConfig()))
                            .forRegistry(registry.host());
                    orasCredentials = DockerConfigCredentials.fromJson(Files.readAllBytes(oras.registryConfig()))
                            .forRegistry(registry.host());
                    assertThat(fromHelm).isEqualTo(mode.engineCredentials()).isEqualTo(orasCredentials);
                }

                // exact version (from the tag), helm-pushed
                registry.resetRequests();
                PullResult result = puller.pull(request(registry, "charts/webapp:" + SPEC.tag(), fromHelm));

                assertThat(Files.readAllBytes(result.path())).isEqualTo(Files.readAllBytes(helmPulled));
                assertThat(result.contentDigest())
                        .isEqualTo("sha256:" + Digests.sha256(chart).replaceFirst("^sha256:", ""));
                Resolution resolution = result.resolution();
                assertThat(resolution.manifestDigest())
                        .isEqualTo(pushed.digest())
                        .isEqualTo(raw.headManifestDigest("charts/webapp", SPEC.tag()));
                assertThat(resolution.manifestMediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
                assertThat(resolution.version()).isEqualTo(SPEC.version());
                assertThat(resolution.tag()).isEqualTo(SPEC.tag());
                assertThat(resolution.chart().name()).isEqualTo("webapp");
                assertThat(result.chart().version()).isEqualTo(SPEC.version());
                assertThat(resolution.configMediaType()).isEqualTo(MediaTypes.HELM_CONFIG);
                assertThat(resolution.layerMediaTypes()).containsExactly(MediaTypes.HELM_CHART);
                assertThat(resolution.availableVersions()).isEmpty(); // exact version: no tag list
                assertThat(resolution.warnings()).isEmpty();
                assertThat(resolution.pinnedReference()).isEqualTo(registry.ociUrl("charts/webapp@" + pushed.digest()));
                assertThat(registry.requests()).noneMatch(r -> r.path().contains("/tags/list"));

                // the same chart again: one HEAD, nothing else (token cached, content in the store)
                registry.resetRequests();
                PullResult again = puller.pull(request(registry, "charts/webapp:" + SPEC.tag(), fromHelm));
                assertThat(again.path()).isEqualTo(result.path());
                assertThat(registry.requests())
                        .extracting(RegistryRequest::method, RegistryRequest::status)
                        .containsExactly(org.assertj.core.groups.Tuple.tuple("HEAD", 200));

                // a range, oras-pushed: one tag list, and the same archive bytes
                registry.resetRequests();
                PullRequest range = new PullRequest(
                        ref(registry, "oras/webapp"), "^1.4", null, false, options(registry, orasCredentials));
                PullResult fromOras = puller.pull(range);
                assertThat(Files.readAllBytes(fromOras.path())).isEqualTo(Files.readAllBytes(chart));
                assertThat(fromOras.resolution().version()).isEqualTo(SPEC.version());
                assertThat(fromOras.resolution().availableVersions()).containsExactly(SPEC.version());
                assertThat(fromOras.resolution().manifestDigest())
                        .isEqualTo(raw.headManifestDigest("oras/webapp", SPEC.tag()));
                assertThat(registry.requests())
                        .filteredOn(r -> r.path().contains("/tags/list"))
                        .hasSize(1);
                // the chart layer is the same blob: it is not downloaded twice
                assertThat(registry.requests()).noneMatch(r -> r.path().contains("/blobs/" + result.contentDigest()));

                if (mode == Mode.TOKEN_CREDENTIALS || mode == Mode.TOKEN_ANONYMOUS) {
                    TokenServer.Grant grant =
                            mode == Mode.TOKEN_CREDENTIALS ? TokenServer.Grant.BASIC : TokenServer.Grant.ANONYMOUS;
                    assertThat(registry.tokenServer().requests())
                            .anyMatch(r -> r.grant() == grant
                                    && r.status() == 200
                                    && r.scopes().contains("repository:charts/webapp:pull"));
                }
            } catch (Throwable failure) {
                throw registry.withLogAttached(failure);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("implementations")
    void credentialedTokensExpireAndAreRenewed(RegistryImplementation implementation, @TempDir Path dir)
            throws Throwable {
        try (RegistryFixture registry = Mode.TOKEN_CREDENTIALS
                        .configure(RegistryFixture.builder(implementation))
                        .start();
                ChartPuller puller = new ChartPuller(dir.resolve("store"))) {
            try {
                HelmCli helm = new HelmCli(dir.resolve("helm"));
                helm.login(registry, USER, PASSWORD);
                helm.push(registry, chart, "charts");
                TokenServer tokens = registry.tokenServer();
                PullRequest request =
                        request(registry, "charts/webapp:" + SPEC.tag(), Credentials.basic(USER, PASSWORD));

                // 1. a short expires_in: the engine fetches a new token up front once the old one is (nearly) expired
                tokens.expiresIn(2).resetRequests();
                puller.inspect(request);
                assertThat(tokens.requestCount()).isEqualTo(1);
                puller.inspect(request);
                assertThat(tokens.requestCount()).as("token reused while valid").isEqualTo(1);
                Thread.sleep(2500);
                registry.resetRequests();
                puller.inspect(request);
                assertThat(tokens.requestCount())
                        .as("new token after expires_in")
                        .isEqualTo(2);
                assertThat(registry.requests())
                        .extracting(RegistryRequest::status)
                        .containsExactly(200);

                // 2. a cached token the registry rejects (its JWT expired although the response gave no issued_at):
                //    dropped and renewed once. distribution allows 60 s of clock skew past the JWT's exp.
                tokens.expiresIn(300).sendIssuedAt(false).issuedAt(Instant.now().minusSeconds(300 + 55));
                Thread.sleep(2000); // the 2 s token of step 1 is gone
                tokens.resetRequests();
                puller.inspect(request); // still inside the registry's leeway: accepted, and cached for 300 s
                assertThat(tokens.requestCount()).isEqualTo(1);
                tokens.issuedAt(null).resetRequests();
                Thread.sleep(7000); // now past the leeway: the registry rejects the cached token
                registry.resetRequests();
                Resolution renewed = puller.inspect(request);
                assertThat(renewed.version()).isEqualTo(SPEC.version());
                assertThat(tokens.requestCount()).isEqualTo(1);
                assertThat(registry.requests())
                        .extracting(RegistryRequest::method, RegistryRequest::status)
                        .containsExactly(
                                org.assertj.core.groups.Tuple.tuple("HEAD", 401),
                                org.assertj.core.groups.Tuple.tuple("HEAD", 200));
            } catch (Throwable failure) {
                throw registry.withLogAttached(failure);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("implementations")
    void anIdentityTokenUsesTheOAuth2RefreshGrant(RegistryImplementation implementation, @TempDir Path dir)
            throws Throwable {
        try (RegistryFixture registry = Mode.TOKEN_CREDENTIALS
                        .configure(RegistryFixture.builder(implementation))
                        .start();
                ChartPuller puller = new ChartPuller(dir.resolve("store"))) {
            try {
                RawRegistryClient.withCredentials(registry, USER, PASSWORD)
                        .pushChart("idtoken/webapp", SPEC.tag(), chart, RawRegistryClient.ChartManifestStyle.HELM);
                TokenServer tokens = registry.tokenServer();
                String refreshToken = offlineRefreshToken(registry);
                Credentials identity = DockerConfigCredentials.fromJson(("{\"auths\":{\"https://" + registry.host()
                                        + "/v2/\":{\"identitytoken\":\"" + refreshToken + "\"}}}")
                                .getBytes(java.nio.charset.StandardCharsets.UTF_8))
                        .forRegistry(registry.host());
                assertThat(identity.kind()).isEqualTo(Credentials.Kind.IDENTITY_TOKEN);
                tokens.resetRequests();

                PullResult result = puller.pull(request(registry, "idtoken/webapp:" + SPEC.tag(), identity));

                assertThat(Files.readAllBytes(result.path())).isEqualTo(Files.readAllBytes(chart));
                assertThat(tokens.requests()).singleElement().satisfies(r -> {
                    assertThat(r.method()).isEqualTo("POST");
                    assertThat(r.grant()).isEqualTo(TokenServer.Grant.REFRESH_TOKEN);
                    assertThat(r.scopes()).containsExactly("repository:idtoken/webapp:pull");
                    assertThat(r.status()).isEqualTo(200);
                });

                // a token server without the OAuth2 POST form: the engine falls back to GET (this one
                // only takes user/password there, so the refresh token is refused: Unauthorized)
                tokens.postSupported(false).resetRequests();
                try (ChartPuller fresh = new ChartPuller(dir.resolve("store2"))) {
                    EngineException e = PullerTestbed.failure(
                            Reason.Unauthorized,
                            () -> fresh.inspect(request(registry, "idtoken/webapp:" + SPEC.tag(), identity)));
                    assertThat(e.getMessage())
                            .contains("identity (refresh) token")
                            .doesNotContain(refreshToken);
                }
                assertThat(tokens.requests())
                        .extracting(TokenServer.TokenRequest::method, TokenServer.TokenRequest::status)
                        .containsExactly(
                                org.assertj.core.groups.Tuple.tuple("POST", 404),
                                org.assertj.core.groups.Tuple.tuple("GET", 401));
            } catch (Throwable failure) {
                throw registry.withLogAttached(failure);
            }
        }
    }

    /** A refresh token from the real token server's OAuth2 password grant with {@code access_type=offline}, as docker login gets one. */
    private static String offlineRefreshToken(RegistryFixture registry) throws Exception {
        String form = "grant_type=password&client_id=it&access_type=offline&username=" + USER + "&password=" + PASSWORD
                + "&service=" + registry.tokenServer().service();
        java.net.http.HttpResponse<String> response = registry.httpClient()
                .send(
                        java.net.http.HttpRequest.newBuilder(
                                        registry.tokenServer().realm())
                                .header("Content-Type", "application/x-www-form-urlencoded")
                                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(form))
                                .build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
        String token = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(response.body())
                .path("refresh_token")
                .asText();
        assertThat(token).as(response.body()).isNotEmpty();
        return token;
    }

    static Stream<RegistryImplementation> implementations() {
        return Stream.of(RegistryImplementation.values());
    }
}
