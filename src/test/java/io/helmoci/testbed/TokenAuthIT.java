package io.helmoci.testbed;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.helmoci.testbed.TokenServer.Denial;
import io.helmoci.testbed.TokenServer.Grant;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The token server against both real registries: JWTs with x5c accepted, denials, expiry fields, OAuth2 grants, anonymous pull. */
class TokenAuthIT {
    static final String USER = "bob";
    static final String PASSWORD = "token-pass";
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path work;

    static Path chart;

    @BeforeAll
    static void packageChart() {
        chart = new ChartFactory(new HelmCli(work.resolve("factory")), work).create("tokchart", "1.0.0");
    }

    @Nested
    class OnDistributionV3 extends Contract {
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
    class OnDebianDistribution28 extends Contract {
        @RegisterExtension
        static RegistryExtension registry = RegistryFixture.builder(RegistryImplementation.DEBIAN_DISTRIBUTION_2_8)
                .tokenAuth()
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

        abstract RegistryFixture registry();

        TokenServer tokens() {
            return registry().tokenServer();
        }

        @AfterEach
        void resetTokenServer() {
            tokens().reset();
        }

        @Test
        void tokenResponseCarriesExpiresInAndIssuedAtAndBothTokenFields() throws Exception {
            JsonNode body = getToken("repository:charts/any:pull", true);
            assertThat(body.path("expires_in").asInt()).isEqualTo(300);
            assertThat(Instant.parse(body.path("issued_at").asText()))
                    .isBetween(Instant.now().minusSeconds(60), Instant.now());
            assertThat(body.path("token").asText())
                    .isNotEmpty()
                    .isEqualTo(body.path("access_token").asText());

            tokens().expiresIn(null)
                    .fields(TokenServer.TokenFields.ACCESS_TOKEN)
                    .sendIssuedAt(false);
            JsonNode bare = getToken("repository:charts/any:pull", true);
            assertThat(bare.has("expires_in")).isFalse();
            assertThat(bare.has("issued_at")).isFalse();
            assertThat(bare.has("token")).isFalse();
            assertThat(bare.path("access_token").asText()).isNotEmpty();
        }

        @ParameterizedTest(name = "{0}")
        @EnumSource(HelmMajor.class)
        void helmPushAndPullWorkWithTokensTheRegistryVerified(HelmMajor major) {
            HelmCli helm = new HelmCli(dir.resolve("helm"), major);
            helm.login(registry(), USER, PASSWORD);
            helm.push(registry(), chart, "private");
            Path pulled = helm.pull(registry(), "private/tokchart", "1.0.0", dir.resolve("out"));

            assertThat(Digests.sha256(pulled)).isEqualTo(Digests.sha256(chart));
            // helm registry login uses the OAuth2 password grant (POST); push and pull then GET with Basic.
            assertThat(tokens().requests())
                    .allMatch(r -> r.status() == 200)
                    .anyMatch(r -> r.grant() == Grant.PASSWORD)
                    .anyMatch(r -> r.grant() == Grant.BASIC);
            assertThat(tokens().requests()).anyMatch(r -> r.scopes().contains("repository:private/tokchart:pull,push"));
        }

        @Test
        void repositoryDeniedByTheTokenServerGives403ThereAnd401FromTheRegistry() {
            tokens().deny("private/forbidden", Denial.HTTP_403);
            RawRegistryClient raw = RawRegistryClient.withCredentials(registry(), USER, PASSWORD);

            RawRegistryClient.Response response = raw.getManifest("private/forbidden", "1.0.0");

            assertThat(response.status()).isEqualTo(401);
            assertThat(response.header("WWW-Authenticate"))
                    .startsWith("Bearer ")
                    .contains(
                            "realm=\"" + tokens().realm() + "\"",
                            "service=\"" + tokens().service() + "\"",
                            "scope=\"repository:private/forbidden:pull\"");
            assertThat(tokens().requests()).singleElement().satisfies(r -> {
                assertThat(r.status()).isEqualTo(403);
                assertThat(r.scopes()).containsExactly("repository:private/forbidden:pull");
            });

            HelmCli helm = new HelmCli(dir.resolve("helm"));
            helm.login(registry(), USER, PASSWORD);
            ProcessRunner.Result pull = helm.tryPull(registry(), "private/forbidden", "1.0.0", dir);
            System.out.println("[report] helm pull, token server 403 ("
                    + registry().implementation() + "): " + pull.stderr().strip());
            assertThat(pull.exitCode()).isNotZero();
            assertThat(pull.stderr()).contains("403");
        }

        @Test
        void scopeLeftOutOfTheTokenGivesInsufficientScope() {
            tokens().deny("private/readonly", Denial.OMIT_FROM_TOKEN, "push");
            RawRegistryClient raw = RawRegistryClient.withCredentials(registry(), USER, PASSWORD);

            RawRegistryClient.Response upload =
                    raw.uploadBlob("private/readonly", Digests.sha256(new byte[] {1}), new byte[] {1});

            assertThat(upload.status()).isEqualTo(401);
            // distribution v3 writes the challenge scope as "push,pull", 2.8 as "pull,push".
            assertThat(upload.header("WWW-Authenticate"))
                    .contains("error=\"insufficient_scope\"")
                    .containsAnyOf(
                            "scope=\"repository:private/readonly:pull,push\"",
                            "scope=\"repository:private/readonly:push,pull\"");
            assertThat(tokens().requests())
                    .singleElement()
                    .satisfies(r -> assertThat(r.status()).isEqualTo(200));

            tokens().deny("private/readonly/tokchart", Denial.OMIT_FROM_TOKEN, "push");
            HelmCli helm = new HelmCli(dir.resolve("helm"));
            helm.login(registry(), USER, PASSWORD);
            ProcessRunner.Result push = helm.tryPush(registry(), chart, "private/readonly");
            System.out.println("[report] helm push, push scope left out of token ("
                    + registry().implementation() + "): " + push.stderr().strip());
            assertThat(push.exitCode()).isNotZero();
            assertThat(push.stderr()).contains("response status code 401");
        }

        @Test
        void tokenSignedByAnUntrustedKeyIsRejected() {
            tokens().signWithUntrustedKey(true);
            RawRegistryClient.Response response = RawRegistryClient.withCredentials(registry(), USER, PASSWORD)
                    .send("GET", "/v2/", Map.of(), null);

            assertThat(response.status()).isEqualTo(401);
            assertThat(tokens().requestCount(Grant.BASIC)).isEqualTo(1);
        }

        @Test
        void expiredTokenIsRejectedBeyondTheLeeway() {
            tokens().issuedAt(Instant.now().minusSeconds(3600)).expiresIn(60);
            RawRegistryClient.Response response = RawRegistryClient.withCredentials(registry(), USER, PASSWORD)
                    .send("GET", "/v2/", Map.of(), null);

            assertThat(response.status()).isEqualTo(401);
            assertThat(tokens().requestCount()).isEqualTo(1);
        }

        @Test
        void anonymousTokensPullPublicChartsButCannotPush() {
            RawRegistryClient.withCredentials(registry(), USER, PASSWORD)
                    .pushChart("public/tokchart", "1.0.0", chart, RawRegistryClient.ChartManifestStyle.HELM);
            tokens().anonymousPull(true).resetRequests();
            HelmCli anonymous = new HelmCli(dir.resolve("anonymous"));

            Path pulled = anonymous.pull(registry(), "public/tokchart", "1.0.0", dir.resolve("out"));
            ProcessRunner.Result push = anonymous.tryPush(registry(), chart, "public");

            assertThat(Digests.sha256(pulled)).isEqualTo(Digests.sha256(chart));
            assertThat(push.exitCode()).isNotZero();
            assertThat(tokens().requestCount(Grant.ANONYMOUS))
                    .isEqualTo(tokens().requestCount())
                    .isPositive();
        }

        @Test
        void oauth2PasswordGrantHandsOutARefreshTokenThatTheRefreshGrantAccepts() throws Exception {
            String scope = "repository:oauth/demo:pull,push";
            JsonNode password = post(Map.of(
                    "grant_type",
                    "password",
                    "client_id",
                    "testbed",
                    "access_type",
                    "offline",
                    "username",
                    USER,
                    "password",
                    PASSWORD,
                    "service",
                    tokens().service(),
                    "scope",
                    scope));
            String refreshToken = password.path("refresh_token").asText();
            JsonNode refreshed = post(Map.of(
                    "grant_type",
                    "refresh_token",
                    "client_id",
                    "testbed",
                    "refresh_token",
                    refreshToken,
                    "service",
                    tokens().service(),
                    "scope",
                    scope));

            assertThat(refreshToken).isNotEmpty();
            assertThat(password.path("scope").asText()).isEqualTo(scope);
            assertThat(refreshed.path("access_token").asText()).isNotEmpty();
            assertThat(refreshed.has("refresh_token")).isFalse();
            HttpResponse<String> tags = registry()
                    .httpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create(registry().baseUrl() + "/v2/oauth/demo/tags/list"))
                                    .header(
                                            "Authorization",
                                            "Bearer "
                                                    + refreshed
                                                            .path("access_token")
                                                            .asText())
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(tags.statusCode()).as(tags.body()).isEqualTo(404); // authorised; the repository does not exist
            assertThat(tokens().requestCount(Grant.PASSWORD)).isEqualTo(1);
            assertThat(tokens().requestCount(Grant.REFRESH_TOKEN)).isEqualTo(1);
            assertThat(post(Map.of(
                                    "grant_type",
                                    "refresh_token",
                                    "client_id",
                                    "testbed",
                                    "refresh_token",
                                    "bogus",
                                    "service",
                                    tokens().service()))
                            .path("error")
                            .asText())
                    .isEqualTo("invalid_grant");
        }

        @ParameterizedTest(name = "{0}")
        @EnumSource(HelmMajor.class)
        void helmUsesADockerIdentityTokenThroughTheRefreshGrant(HelmMajor major) throws Exception {
            RawRegistryClient.withCredentials(registry(), USER, PASSWORD)
                    .pushChart("idtoken/tokchart", "1.0.0", chart, RawRegistryClient.ChartManifestStyle.HELM);
            String refreshToken = post(Map.of(
                            "grant_type",
                            "password",
                            "client_id",
                            "testbed",
                            "access_type",
                            "offline",
                            "username",
                            USER,
                            "password",
                            PASSWORD,
                            "service",
                            tokens().service()))
                    .path("refresh_token")
                    .asText();
            HelmCli helm = new HelmCli(dir.resolve("helm"), major);
            Files.createDirectories(helm.registryConfig().getParent());
            Files.writeString(
                    helm.registryConfig(),
                    "{\"auths\":{\"" + registry().host() + "\":{\"identitytoken\":\"" + refreshToken + "\"}}}");
            tokens().resetRequests();

            Path pulled = helm.pull(registry(), "idtoken/tokchart", "1.0.0", dir.resolve("out"));

            assertThat(Digests.sha256(pulled)).isEqualTo(Digests.sha256(chart));
            assertThat(tokens().requests())
                    .isNotEmpty()
                    .allMatch(
                            r -> r.grant() == Grant.REFRESH_TOKEN && r.method().equals("POST") && r.status() == 200);
        }

        private JsonNode getToken(String scope, boolean withCredentials) throws Exception {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(tokens().realm() + "?service="
                    + tokens().service() + "&scope=" + URLEncoder.encode(scope, StandardCharsets.UTF_8)));
            if (withCredentials) {
                request.header(
                        "Authorization",
                        "Basic "
                                + Base64.getEncoder()
                                        .encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8)));
            }
            HttpResponse<String> response =
                    registry().httpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            return JSON.readTree(response.body());
        }

        private JsonNode post(Map<String, String> form) throws Exception {
            String body = String.join(
                    "&",
                    form.entrySet().stream()
                            .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                            .toList());
            HttpResponse<String> response = registry()
                    .httpClient()
                    .send(
                            HttpRequest.newBuilder(tokens().realm())
                                    .header("Content-Type", "application/x-www-form-urlencoded")
                                    .POST(HttpRequest.BodyPublishers.ofString(body))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            return JSON.readTree(response.body());
        }
    }
}
