package io.helmoci.engine.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.helmoci.engine.EngineException;
import io.helmoci.engine.Reason;
import io.helmoci.engine.registry.Credentials;
import io.helmoci.engine.registry.ProxyEndpoint;
import io.helmoci.engine.registry.ProxyRules;
import io.helmoci.testbed.MutableClock;
import io.helmoci.testbed.ScriptedHttpServer;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** One exchange per credential lifetime, renewal before expiry, old credentials through a failed renewal, and where cloud credentials may go. */
class CloudCredentialsTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final AtomicInteger issued = new AtomicInteger();
    private volatile int status = 200;
    private final ScriptedHttpServer metadata = ScriptedHttpServer.start((exchange, request) -> {
        if (status != 200) {
            ScriptedHttpServer.respond(exchange, status, Map.of(), "{\"error\":\"unavailable\"}");
            return;
        }
        ScriptedHttpServer.respond(
                exchange,
                200,
                Map.of("Content-Type", "application/json"),
                "{\"access_token\":\"token-" + issued.incrementAndGet() + "\",\"expires_in\":100}");
    });
    private final CloudCredentials credentials = new CloudCredentials(
            new CloudSettings(null, null, null, null, null, metadata.hostPort(), null, Set.of("127.0.0.1:5000")),
            new OkHttpClient(),
            clock);
    private final CloudIdentity identity = new CloudIdentity(CloudProvider.GCP, "test", null, null, null, null);

    @AfterEach
    void close() {
        metadata.close();
    }

    @Test
    void credentialsAreExchangedOncePerLifetimeAndRenewedAtEightyPercent() {
        Credentials first = credentials.credentials(identity, "europe-docker.pkg.dev", false);
        clock.advance(Duration.ofSeconds(79));
        assertThat(credentials.credentials(identity, "europe-docker.pkg.dev", false))
                .isEqualTo(first);
        assertThat(credentials.exchangeCount()).isEqualTo(1);

        clock.advance(Duration.ofSeconds(2)); // 81 s of 100: renewed, still 19 s before expiry
        Credentials second = credentials.credentials(identity, "europe-docker.pkg.dev", false);

        assertThat(second).isNotEqualTo(first);
        assertThat(second.username()).isEqualTo("oauth2accesstoken");
        assertThat(credentials.exchangeCount()).isEqualTo(2);
    }

    @Test
    void aFailedRenewalKeepsTheStillValidCredentialsAndAnExpiredOneFails() {
        Credentials first = credentials.credentials(identity, "gcr.io", false);
        status = 503;
        clock.advance(Duration.ofSeconds(90));

        assertThat(credentials.credentials(identity, "gcr.io", false)).isEqualTo(first);

        clock.advance(Duration.ofSeconds(11)); // expired now
        EngineException failure =
                catchThrowableOfType(EngineException.class, () -> credentials.credentials(identity, "gcr.io", false));
        assertThat(failure.reason()).isEqualTo(Reason.CloudIdentityUnavailable);
    }

    @Test
    void cloudCredentialsGoOnlyToTheCloudsRegistriesAndListedHosts() {
        EngineException failure = catchThrowableOfType(
                EngineException.class, () -> credentials.credentials(identity, "registry.example.com", false));

        assertThat(failure.reason()).isEqualTo(Reason.CloudIdentityNotConfigured);
        assertThat(failure.getMessage()).contains("helmoci.identity.registry-hosts");
        assertThat(issued).hasValue(0);
        assertThat(credentials.credentials(identity, "127.0.0.1:5000", false)).isNotNull();
    }

    @Test
    void publicEcrIsPulledAnonymouslyWithoutAskingForAnIdentity() {
        CloudIdentity aws = new CloudIdentity(CloudProvider.AWS, "test", null, null, null, null);

        assertThat(credentials.credentials(aws, "public.ecr.aws", false).isAnonymous())
                .isTrue();
        assertThat(credentials.exchangeCount()).isZero();
        // Only public ECR: a look-alike host is refused, as any host outside the cloud's registries.
        EngineException failure = catchThrowableOfType(
                EngineException.class, () -> credentials.credentials(aws, "public.ecr.aws.example.com", false));
        assertThat(failure.reason()).isEqualTo(Reason.CloudIdentityNotConfigured);
    }

    @Test
    void theMetadataServerIsNeverReachedThroughAProxy() {
        // a proxy that is not there: a request through it would fail with ProxyUnavailable
        ProxyRules everythingThroughAProxy = ProxyRules.allThrough(new ProxyEndpoint("127.0.0.1", 9, null, null));

        Credentials fromMetadata =
                credentials.credentials(identity, "europe-docker.pkg.dev", false, everythingThroughAProxy);

        assertThat(fromMetadata.username()).isEqualTo("oauth2accesstoken");
        assertThat(issued).hasValue(1);
    }

    @Test
    void theTokenEndpointsGoThroughTheProxyAndAnUnreachableProxyIsNamed() {
        CloudIdentity federated =
                new CloudIdentity(CloudProvider.GCP, "federated", null, null, "//iam.example/pool", () -> "jwt");
        CloudCredentials viaSts = new CloudCredentials(
                new CloudSettings(
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        java.net.URI.create("http://" + metadata.hostPort() + "/v1/token"),
                        Set.of()),
                new OkHttpClient(),
                clock);

        EngineException failure = catchThrowableOfType(
                EngineException.class,
                () -> viaSts.credentials(
                        federated,
                        "gcr.io",
                        false,
                        ProxyRules.allThrough(new ProxyEndpoint("127.0.0.1", 9, null, null))));

        assertThat(failure.reason()).isEqualTo(Reason.ProxyUnavailable);
        assertThat(failure.getMessage()).contains("127.0.0.1:9", "Google STS");
        assertThat(issued).hasValue(0);
    }

    @Test
    void theRegionComesFromTheEcrHost() {
        assertThat(AwsEcrExchange.regionOf("123456789012.dkr.ecr.eu-west-3.amazonaws.com", null))
                .isEqualTo("eu-west-3");
        assertThat(AwsEcrExchange.regionOf("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn", null))
                .isEqualTo("cn-north-1");
        assertThat(AwsEcrExchange.regionOf("registry.internal:5000", "us-east-2"))
                .isEqualTo("us-east-2");
    }

    @Test
    void renewalIsAtEightyPercentButAtMostFiveMinutesBeforeExpiry() {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        assertThat(CloudCredentials.renewAt(now, now.plusSeconds(100))).isEqualTo(now.plusSeconds(80));
        assertThat(CloudCredentials.renewAt(now, now.plus(Duration.ofHours(12))))
                .isEqualTo(now.plus(Duration.ofHours(12)).minus(Duration.ofMinutes(5)));
        assertThat(CloudCredentials.renewAt(now, now.minusSeconds(1))).isEqualTo(now);
    }

    @Test
    void theExpiryOfAnAcrRefreshTokenIsReadFromItsClaims() {
        String payload =
                java.util.Base64.getUrlEncoder().withoutPadding().encodeToString("{\"exp\":1767225600}".getBytes());
        assertThat(TokenEndpoint.jwtExpiry("eyJhbGciOiJub25lIn0." + payload + ".sig"))
                .isEqualTo(Instant.ofEpochSecond(1767225600));
        assertThat(TokenEndpoint.jwtExpiry("opaque")).isNull();
    }
}
