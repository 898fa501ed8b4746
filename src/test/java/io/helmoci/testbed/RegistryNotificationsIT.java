package io.helmoci.testbed;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Mode e: the registry posts a push event for a helm push to the endpoint the test gives. */
class RegistryNotificationsIT {
    static final NotificationSink sink = NotificationSink.start();

    @AfterAll
    static void stopSink() {
        sink.close();
    }

    @ParameterizedTest
    @EnumSource(RegistryImplementation.class)
    void helmPushIsNotifiedAsAManifestPushEvent(RegistryImplementation implementation, @TempDir Path dir)
            throws Throwable {
        String repository = "notified/" + implementation.name().toLowerCase().replace('_', '-');
        try (RegistryFixture registry = RegistryFixture.builder(implementation)
                .notifications(sink.url())
                .start()) {
            try {
                HelmCli helm = new HelmCli(dir.resolve("helm"));
                Path chart = new ChartFactory(helm, dir).create("evented", "2.0.0");
                HelmCli.Pushed pushed = helm.push(registry, chart, repository);

                JsonNode event = sink.await(
                        e -> e.path("action").asText().equals("push")
                                && e.path("target").path("repository").asText().equals(repository + "/evented")
                                && e.path("target").path("tag").asText().equals("2.0.0"),
                        Duration.ofSeconds(15));

                assertThat(event.path("target").path("digest").asText()).isEqualTo(pushed.digest());
                assertThat(event.path("target").path("mediaType").asText()).isEqualTo(OciManifests.OCI_MANIFEST);
                // distribution v3 posts envelopes as events.v2+json, 2.8 as events.v1+json; the JSON is the same.
                assertThat(sink.contentTypes())
                        .contains(
                                implementation == RegistryImplementation.DISTRIBUTION_V3
                                        ? "application/vnd.docker.distribution.events.v2+json"
                                        : "application/vnd.docker.distribution.events.v1+json");
            } catch (Throwable failure) {
                throw registry.withLogAttached(failure);
            }
        }
    }
}
