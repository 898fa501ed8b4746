package io.helmoci.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.helmoci.engine.store.ContentStore;
import io.helmoci.operator.ConditionReasons;
import io.helmoci.operator.ReconcileException;
import io.helmoci.operator.ReconcileException.Disposition;
import io.helmoci.operator.api.v1alpha1.HelmOciChart;
import io.helmoci.operator.api.v1alpha1.HelmOciChartStatus;
import io.helmoci.operator.artifacts.ArtifactRetention;
import io.helmoci.operator.artifacts.ArtifactUrls;
import io.helmoci.operator.credentials.InMemoryObjectLookup;
import io.helmoci.operator.events.RecordingEvents;
import io.helmoci.operator.fairness.ReconcileDurations;
import io.helmoci.operator.flux.ExternalArtifacts;
import io.helmoci.operator.source.EngineArtifactStore;
import io.helmoci.testbed.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ExternalArtifact stage of {@link ChartSync}: whatever a reconciliation ends with is handed to
 * the publisher, whose artifact is always the last one that passed every check; a failure to publish
 * fails the reconcile (retried), but never the building of the failed status.
 */
class ChartSyncExternalArtifactTest {
    static final String URL = ChartSyncTest.URL;

    final MutableClock clock = new MutableClock(Instant.parse("2026-01-02T03:04:05.678Z"));

    @TempDir
    Path store;

    FakeChartSource registry;
    RecordingPublisher published;
    ChartSync sync;

    @BeforeEach
    void setUp() {
        ContentStore contentStore = new ContentStore(store, Long.MAX_VALUE, clock);
        registry = new FakeChartSource(contentStore);
        published = new RecordingPublisher();
        sync = new ChartSync(
                registry,
                new EngineArtifactStore(contentStore),
                new ArtifactUrls("http://artifacts.test/"),
                new ArtifactRetention(Duration.ofMinutes(5)),
                new RecordingEvents(),
                clock,
                ReconcileDurations.lenient(),
                null,
                published);
    }

    @Test
    void aSuccessPublishesTheServedArchiveWithTheVersionAndManifestDigestAsRevision() {
        String manifest = registry.push(URL, "1.0.0", "one");
        HelmOciChart chart = ChartSyncTest.chart(spec -> spec.setVersion("1.0.0"));

        HelmOciChartStatus status = reconcile(chart).status();

        assertThat(published.reflected).containsExactly(status);
        Map<String, Object> artifact = fluxArtifact(chart, status);
        assertThat(artifact)
                .containsEntry("url", "http://artifacts.test/artifacts/apps/podinfo/podinfo-1.0.0.tgz")
                .containsEntry("digest", status.getContentDigest())
                .containsEntry("size", 3L)
                .containsEntry("revision", "1.0.0@" + manifest)
                .containsEntry("path", "apps/podinfo/podinfo-1.0.0.tgz")
                .containsEntry("lastUpdateTime", status.getArtifact().getLastUpdateTime());
        assertThat(readyOf(chart, status)).containsEntry("status", "True").containsEntry("reason", "Succeeded");
    }

    @Test
    void aMovedTagUnderADigestPinLeavesTheExternalArtifactOnTheLastGoodRevisionWithReadyFalse() {
        String first = registry.push(URL, "1.0.0", "one");
        HelmOciChart chart = ChartSyncTest.chart(spec -> {
            spec.setVersion("1.0.0");
            spec.setDigest(first);
        });
        chart.setStatus(reconcile(chart).status());
        registry.push(URL, "1.0.0", "moved");

        Throwable thrown = catchThrowable(() -> reconcile(chart));
        assertThat(published.reflected).hasSize(1); // the refused content reached no publisher
        HelmOciChartStatus failed =
                sync.failed(chart, (ReconcileException) thrown).status();

        assertThat(published.reflected).hasSize(2).last().isEqualTo(failed);
        assertThat(fluxArtifact(chart, failed)).containsEntry("revision", "1.0.0@" + first);
        assertThat(readyOf(chart, failed)).containsEntry("status", "False").containsEntry("reason", "DigestMismatch");
    }

    @Test
    void aChartThatNeverSucceededIsPublishedWithoutAnArtifact() {
        HelmOciChart chart = ChartSyncTest.chart(spec -> spec.setVersion("9.9.9"));
        Throwable thrown = catchThrowable(() -> reconcile(chart));

        HelmOciChartStatus failed =
                sync.failed(chart, ReconcileException.from((Exception) thrown)).status();

        assertThat(fluxArtifact(chart, failed)).isEmpty();
        assertThat(readyOf(chart, failed)).containsEntry("status", "False");
    }

    @Test
    void aPublisherFailureFailsTheReconcileButNotTheFailedStatus() {
        registry.push(URL, "1.0.0", "one");
        HelmOciChart chart = ChartSyncTest.chart(spec -> spec.setVersion("1.0.0"));
        ReconcileException noRbac =
                new ReconcileException(ConditionReasons.EXTERNAL_ARTIFACT_FAILED, "no RBAC", Disposition.RETRY);
        published.failWith = noRbac;

        Throwable thrown = catchThrowable(() -> reconcile(chart));
        assertThat(thrown).isSameAs(noRbac);

        HelmOciChartStatus failed = sync.failed(chart, noRbac).status(); // the publisher throws again: swallowed
        assertThat(readyOf(chart, failed))
                .containsEntry("status", "False")
                .containsEntry("reason", ConditionReasons.EXTERNAL_ARTIFACT_FAILED);
    }

    @Test
    void cleanupRemovesTheExternalArtifact() {
        HelmOciChart chart = ChartSyncTest.chart(spec -> spec.setVersion("1.0.0"));

        sync.cleanup(chart, digest -> false);

        assertThat(published.removed).containsExactly(chart);
    }

    private ChartSync.Outcome reconcile(HelmOciChart chart) {
        return sync.reconcile(chart, new InMemoryObjectLookup(), progress -> {});
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> fluxStatus(HelmOciChart chart, HelmOciChartStatus status) {
        GenericKubernetesResource object = ExternalArtifacts.desiredStatus(chart, status);
        return (Map<String, Object>) object.getAdditionalProperties().get("status");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> fluxArtifact(HelmOciChart chart, HelmOciChartStatus status) {
        return (Map<String, Object>) fluxStatus(chart, status).getOrDefault("artifact", Map.of());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> readyOf(HelmOciChart chart, HelmOciChartStatus status) {
        List<Map<String, Object>> conditions =
                (List<Map<String, Object>>) fluxStatus(chart, status).get("conditions");
        assertThat(conditions).hasSize(1);
        return conditions.get(0);
    }

    static final class RecordingPublisher implements ExternalArtifactPublisher {
        final List<HelmOciChartStatus> reflected = new ArrayList<>();
        final List<HelmOciChart> removed = new ArrayList<>();
        RuntimeException failWith;

        @Override
        public void reflect(HelmOciChart resource, HelmOciChartStatus status) {
            reflected.add(status);
            if (failWith != null) {
                throw failWith;
            }
        }

        @Override
        public void remove(HelmOciChart resource) {
            removed.add(resource);
        }
    }
}
