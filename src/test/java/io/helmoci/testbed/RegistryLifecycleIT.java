package io.helmoci.testbed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.helmoci.testbed.RegistryFixture.RegistryRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The fixture itself: restart on the same port and storage, request accounting, start-up failures reported with the log. */
class RegistryLifecycleIT {
    @RegisterExtension
    static RegistryExtension registry = RegistryFixture.builder(RegistryImplementation.DEBIAN_DISTRIBUTION_2_8)
            .tls()
            .extension();

    @Test
    void registryGoesDownAndReturnsOnTheSamePortWithItsContent() {
        RawRegistryClient raw = RawRegistryClient.anonymous(registry);
        Descriptor blob = raw.pushBlob("life/cycle", "application/octet-stream", "survives restarts".getBytes());
        String host = registry.host();

        registry.stop();
        assertThat(registry.isRunning()).isFalse();
        // A pooled connection fails with EOF, a new one is refused: either way, an I/O failure.
        assertThatThrownBy(() -> raw.getBlob("life/cycle", blob.digest())).isInstanceOf(UncheckedIOException.class);

        registry.start();
        assertThat(registry.host()).isEqualTo(host);
        assertThat(raw.getBlob("life/cycle", blob.digest()).text()).isEqualTo("survives restarts");
        assertThat(registry.lastStartupTime()).isPositive();
        assertThat(registry.logs()).contains("=== testbed: starting DEBIAN_DISTRIBUTION_2_8");
    }

    @Test
    void requestsAreCountedFromTheAccessLogWithoutTheFixturesOwnProbes() throws Exception {
        registry.resetRequests();
        assertThat(registry.requests()).isEmpty();

        HttpResponse<Void> response = registry.httpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(registry.baseUrl() + "/v2/counted/manifests/1.0.0"))
                                .method("HEAD", HttpRequest.BodyPublishers.noBody())
                                .build(),
                        HttpResponse.BodyHandlers.discarding());

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(registry.requests())
                .containsExactly(new RegistryRequest(
                        "HEAD",
                        "/v2/counted/manifests/1.0.0",
                        404,
                        registry.requests().get(0).userAgent()));
    }

    @Test
    void failedStartIsReportedWithTheRegistryLog() {
        RegistryFixture broken = RegistryFixture.builder(RegistryImplementation.DISTRIBUTION_V3)
                .config("storage.filesystem", null)
                .config("storage.delete", null)
                .config("storage.maintenance", null)
                .build();

        assertThatThrownBy(broken::start)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("registry did not start")
                .hasMessageContaining("--- registry log");
        broken.close();
    }

    @Test
    void plainClientCannotTalkTlsAndTheTestCaIsRequired() throws IOException {
        assertThat(registry.isTls()).isTrue();
        assertThat(registry.baseUrl().getScheme()).isEqualTo("https");
        assertThat(registry.caFile()).content().startsWith("-----BEGIN CERTIFICATE-----");
        assertThat(registry.caCertificate().getBasicConstraints()).isNotNegative();
        assertThat(RawRegistryClient.anonymous(registry)
                        .send("GET", "/v2/", Map.of(), null)
                        .status())
                .isEqualTo(200);
        assertThatThrownBy(() -> HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(URI.create(registry.baseUrl() + "/v2/"))
                                        .build(),
                                HttpResponse.BodyHandlers.discarding()))
                .isInstanceOf(SSLHandshakeException.class);
    }
}
