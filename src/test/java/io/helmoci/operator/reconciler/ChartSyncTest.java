package io.helmoci.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.helmoci.engine.Reason;
import io.helmoci.engine.store.ContentStore;
import io.helmoci.operator.ConditionReasons;
import io.helmoci.operator.Constants;
import io.helmoci.operator.ReconcileException;
import io.helmoci.operator.ReconcileException.Disposition;
import io.helmoci.operator.api.v1alpha1.HelmOciChart;
import io.helmoci.operator.api.v1alpha1.HelmOciChartSpec;
import io.helmoci.operator.api.v1alpha1.HelmOciChartStatus;
import io.helmoci.operator.api.v1alpha1.LocalReference;
import io.helmoci.operator.artifacts.ArtifactRetention;
import io.helmoci.operator.artifacts.ArtifactUrls;
import io.helmoci.operator.credentials.InMemoryObjectLookup;
import io.helmoci.operator.events.RecordingEvents;
import io.helmoci.operator.source.EngineArtifactStore;
import io.helmoci.testbed.MutableClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChartSyncTest {
    static final String URL = "oci://registry.example:5000/charts/podinfo";
    static final Predicate<String> NOT_USED_ELSEWHERE = digest -> false;
    static final Duration RETENTION = Duration.ofMinutes(5);

    final MutableClock clock = new MutableClock(Instant.parse("2026-01-02T03:04:05.678Z"));

    @TempDir
    Path store;

    FakeChartSource registry;
    EngineArtifactStore artifacts;
    RecordingEvents events;
    ChartSync sync;
    final List<HelmOciChartStatus> progressReports = new ArrayList<>();
    final InMemoryObjectLookup lookup = new InMemoryObjectLookup();

    @BeforeEach
    void setUp() {
        ContentStore contentStore = new ContentStore(store, Long.MAX_VALUE, clock);
        registry = new FakeChartSource(contentStore);
        artifacts = new EngineArtifactStore(contentStore);
        events = new RecordingEvents();
        sync = new ChartSync(
                registry,
                artifacts,
                new ArtifactUrls("http://artifacts.test/"),
                new ArtifactRetention(RETENTION),
                events,
                clock);
    }

    @Test
    void firstReconcileResolvesPullsAndPublishesEveryStatusField() throws Exception {
        String manifest = registry.push(URL, "6.5.0", "chart-6.5.0");
        HelmOciChart chart = chart(spec -> spec.setVersion("6.5.0"));

        ChartSync.Outcome outcome = reconcile(chart);

        HelmOciChartStatus status = outcome.status();
        assertThat(status.getObservedGeneration()).isEqualTo(1L);
        assertThat(status.getResolvedVersion()).isEqualTo("6.5.0");
        assertThat(status.getTag()).isEqualTo("6.5.0");
        assertThat(status.getManifestDigest()).isEqualTo(manifest);
        assertThat(status.getShortDigest()).isEqualTo(manifest.substring(7, 19));
        assertThat(status.getResolvedRef()).isEqualTo(URL + "@" + manifest);
        String content = FakeChartSource.sha256("chart-6.5.0".getBytes(StandardCharsets.UTF_8));
        assertThat(status.getContentDigest()).isEqualTo(content);
        assertThat(status.getChart().getName()).isEqualTo("podinfo");
        assertThat(status.getChart().getAppVersion()).isEqualTo("app-6.5.0");
        assertThat(status.getLastCheckedTime()).isEqualTo("2026-01-02T03:04:05Z");
        assertThat(status.getArtifact().getUrl())
                .isEqualTo("http://artifacts.test/artifacts/apps/podinfo/podinfo-6.5.0.tgz");
        assertThat(status.getArtifact().getDigest()).isEqualTo(content);
        assertThat(status.getArtifact().getSize()).isEqualTo("chart-6.5.0".length());
        assertThat(Files.readString(
                        artifacts.stored(content, "chart-6.5.0".length()).orElseThrow()))
                .isEqualTo("chart-6.5.0");
        assertThat(condition(status, Constants.CONDITION_READY))
                .extracting(Condition::getStatus, Condition::getReason)
                .containsExactly("True", ConditionReasons.SUCCEEDED);
        assertThat(condition(status, Constants.CONDITION_READY).getMessage())
                .contains("podinfo 6.5.0", manifest.substring(0, 19));
        assertThat(status.getConditions()).extracting(Condition::getType).containsExactly(Constants.CONDITION_READY);
        assertThat(events.reasons()).containsExactly(ConditionReasons.EVENT_NEW_ARTIFACT);
        assertThat(outcome.requeueAfter())
                .hasValueSatisfying(d -> assertThat(d).isBetween(Duration.ofMinutes(5), Duration.ofMinutes(15)));
    }

    @Test
    void newGenerationIsReportedAsReconcilingBeforeTheRegistryIsAsked() {
        registry.push(URL, "1.0.0", "one");
        reconcile(chart(spec -> {}));

        assertThat(progressReports).hasSize(1);
        HelmOciChartStatus progress = progressReports.get(0);
        assertThat(condition(progress, Constants.CONDITION_READY).getStatus()).isEqualTo("Unknown");
        assertThat(condition(progress, Constants.CONDITION_RECONCILING))
                .extracting(Condition::getStatus, Condition::getReason)
                .containsExactly("True", ConditionReasons.PROGRESSING);
    }

    @Test
    void unchangedChartCostsOneResolveAndNoPullNoEventNoProgressReport() {
        registry.push(URL, "1.0.0", "one");
        HelmOciChart chart = chart(spec -> spec.setVersion("1.0.0"));
        chart.setStatus(reconcile(chart).status());
        String published = chart.getStatus().getArtifact().getLastUpdateTime();
        events.clear();
        progressReports.clear();

        HelmOciChartStatus again = reconcile(chart).status();

        assertThat(registry.resolveRequests).hasSize(2);
        assertThat(registry.pullRequests).hasSize(1);
        assertThat(events.events).isEmpty();
        assertThat(progressReports).isEmpty();
        assertThat(again.getArtifact().getLastUpdateTime()).isEqualTo(published);
    }

    @Test
    void anUnchangedCheckWritesNoStatusUntilLastCheckedTimeIsAnHourOld() {
        registry.push(URL, "1.0.0", "one");
        HelmOciChart chart = chart(spec -> spec.setVersion("1.0.0"));
        ChartSync.Outcome first = reconcile(chart);
        assertThat(first.statusChanged()).isTrue();
        chart.setStatus(first.status());

        clock.advance(Duration.ofMinutes(10));
        ChartSync.Outcome unchanged = reconcile(chart);
        assertThat(unchanged.statusChanged())
                .as("only lastCheckedTime would change")
                .isFalse();
        assertThat(unchanged.status().getLastCheckedTime()).isEqualTo("2026-01-02T03:04:05Z");
        assertThat(registry.resolveRequests).as("the registry is still asked").hasSize(2);

        clock.advance(HelmOciChartStatusAggregator.LAST_CHECKED_REFRESH);
        ChartSync.Outcome refreshed = reconcile(chart);
        assertThat(refreshed.statusChanged()).isTrue();
        assertThat(refreshed.status().getLastCheckedTime()).isEqualTo("2026-01-02T04:14:05Z");

        chart.getMetadata().setAnnotations(Map.of(Constants.REQUESTED_AT_ANNOTATION, "now"));
        assertThat(reconcile(chart).statusChanged())
                .as("anything else that changes is written at once")
                .isTrue();
    }

    @Test
    void resolutionWarningsReachTheUserAsOneEventAndInTheReadyMessage() {
        registry.push(URL, "1.0.0", "one");
        registry.warnings =
                List.of("The chart layer has the deprecated media type x (Helm 3.0-3.6); push the chart again.");
        HelmOciChart chart = chart(spec -> spec.setVersion("1.0.0"));

        chart.setStatus(reconcile(chart).status());

        assertThat(condition(chart.getStatus(), Constants.CONDITION_READY).getMessage())
                .startsWith("Serving podinfo 1.0.0")
                .endsWith("Warning: " + registry.warnings.get(0));
        assertThat(events.events)
                .filteredOn(e -> e.reason().equals(ConditionReasons.EVENT_RESOLUTION_WARNING))
                .singleElement()
                .satisfies(e -> assertThat(e.type()).isEqualTo("Warning"))
                .satisfies(e -> assertThat(e.message()).contains(registry.warnings.get(0)));

        events.clear();
        ChartSync.Outcome again = reconcile(chart);
        assertThat(events.events).as("not again on every check").isEmpty();
        assertThat(again.statusChanged()).isFalse();
    }

    @Test
    void aRepeatedFailureWritesNoStatus() {
        registry.push(URL, "1.0.0", "one");
        HelmOciChart chart = chart(spec -> spec.setVersion("1.0.0"));
        chart.setStatus(reconcile(chart).status());
        registry.failNext(Reason.RegistryUnavailable, "down");
        ChartSync.Outcome failed = sync.failed(chart, catchFailure(chart));
        assertThat(failed.statusChanged()).isTrue();
        chart.setStatus(failed.status());

        clock.advance(Duration.ofSeconds(30));
        registry.failNext(Reason.RegistryUnavailable, "down");
        assertThat(sync.failed(chart, catchFailure(chart)).statusChanged()).isFalse();
    }

    @Test
    void movedTagRaisesAWarningRecordsThePreviousDigestAndReplacesTheArtifact() {
        String first = registry.push(URL, "1.0.0", "one");
        HelmOciChart chart = chart(spec -> spec.setVersion("1.0.0"));
        chart.setStatus(reconcile(chart).status());
        String oldContent = chart.getStatus().getContentDigest();
        events.clear();

        String second = registry.push(URL, "1.0.0", "one, re-pushed");
        HelmOciChartStatus status = reconcile(chart).status();

        assertThat(status.getManifestDigest()).isEqualTo(second);
        assertThat(status.getPreviousManifestDigest()).isEqualTo(first);
        assertThat(events.events).first().satisfies(e -> {
            assertThat(e.type()).isEqualTo("Warning");
            assertThat(e.reason()).isEqualTo(ConditionReasons.EVENT_TAG_MOVED);
            assertThat(e.message()).contains(first, second);
        });
        assertThat(events.reasons())
                .containsExactly(ConditionReasons.EVENT_TAG_MOVED, ConditionReasons.EVENT_NEW_ARTIFACT);
        assertThat(status.getSupersededArtifacts())
                .as("the same URL now serves the new content")
                .isNull();
        assertThat(registry.has(oldContent))
                .as("the collector deletes it once unused for the retention")
                .isTrue();
        assertThat(registry.has(status.getContentDigest())).isTrue();
    }

    @Test
    void anUpgradeKeepsTheOldArchiveListedAndStoredForTheRetention() {
        String firstManifest = registry.push(URL, "1.0.0", "one");
        HelmOciChart chart = chart(spec -> {});
        chart.setStatus(reconcile(chart).status());
        HelmOciChartStatus first = chart.getStatus();
        registry.push(URL, "1.1.0", "one-one");
        clock.advance(Duration.ofSeconds(30));

        chart.setStatus(reconcile(chart).status());

        assertThat(chart.getStatus().getResolvedVersion()).isEqualTo("1.1.0");
        assertThat(chart.getStatus().getSupersededArtifacts()).singleElement().satisfies(old -> {
            assertThat(old.getUrl()).isEqualTo(first.getArtifact().getUrl()).endsWith("/podinfo-1.0.0.tgz");
            assertThat(old.getDigest()).isEqualTo(first.getContentDigest());
            assertThat(old.getManifestDigest()).isEqualTo(firstManifest);
            assertThat(old.getSize()).isEqualTo(first.getArtifact().getSize());
            assertThat(old.getExpiryTime()).isEqualTo("2026-01-02T03:09:35Z"); // superseded at 03:04:35 plus 5 minutes
        });
        assertThat(registry.has(first.getContentDigest())).isTrue();
        assertThat(events.reasons()).doesNotContain(ConditionReasons.EVENT_ARTIFACT_REMOVED);

        clock.advance(RETENTION);
        registry.failNext(Reason.RegistryUnavailable, "down");
        HelmOciChartStatus failed = sync.failed(chart, catchFailure(chart)).status();
        assertThat(failed.getSupersededArtifacts())
                .as("expired entries drop out of the status, even on failure")
                .isNull();
        assertThat(failed.getContentDigest()).isEqualTo(chart.getStatus().getContentDigest());
    }

    @Test
    void pinnedDigestMismatchIsStalledAndKeepsTheLastGoodResult() {
        String first = registry.push(URL, "1.0.0", "one");
        HelmOciChart chart = chart(spec -> {
            spec.setVersion("1.0.0");
            spec.setDigest(first);
        });
        chart.setStatus(reconcile(chart).status());
        HelmOciChartStatus good = chart.getStatus();
        registry.push(URL, "1.0.0", "moved");

        ReconcileException failure = catchFailure(chart);
        assertThat(failure.reason()).isEqualTo("DigestMismatch");
        assertThat(failure.disposition()).isEqualTo(Disposition.STALLED);

        ChartSync.Outcome outcome = sync.failed(chart, failure);
        HelmOciChartStatus status = outcome.status();
        assertThat(status.getManifestDigest()).isEqualTo(first);
        assertThat(status.getArtifact().getUrl()).isEqualTo(good.getArtifact().getUrl());
        assertThat(registry.has(good.getContentDigest())).isTrue();
        assertThat(condition(status, Constants.CONDITION_READY))
                .extracting(Condition::getStatus, Condition::getReason)
                .containsExactly("False", "DigestMismatch");
        assertThat(condition(status, Constants.CONDITION_STALLED).getStatus()).isEqualTo("True");
        assertThat(outcome.requeueAfter()).isPresent();
    }

    @Test
    void transientFailureIsRetriedShowsReconcilingAndEmitsOneEventPerDistinctFailure() {
        registry.push(URL, "1.0.0", "one");
        HelmOciChart chart = chart(spec -> spec.setVersion("1.0.0"));
        chart.setStatus(reconcile(chart).status());
        events.clear();

        registry.failNext(Reason.RegistryUnavailable, "Connection refused by registry.example:5000.");
        ReconcileException failure = catchFailure(chart);
        assertThat(failure.disposition()).isEqualTo(Disposition.RETRY);
        ChartSync.Outcome outcome = sync.failed(chart, failure);
        chart.setStatus(outcome.status());

        assertThat(outcome.requeueAfter()).as("JOSDK's retry backs off").isEmpty();
        assertThat(condition(chart.getStatus(), Constants.CONDITION_READY))
                .extracting(Condition::getStatus, Condition::getReason)
                .containsExactly("False", "RegistryUnavailable");
        assertThat(condition(chart.getStatus(), Constants.CONDITION_READY).getMessage())
                .isEqualTo("Connection refused by registry.example:5000.");
        assertThat(condition(chart.getStatus(), Constants.CONDITION_RECONCILING).getReason())
                .isEqualTo(ConditionReasons.PROGRESSING_WITH_RETRY);
        assertThat(chart.getStatus().getContentDigest()).isNotNull();

        registry.failNext(Reason.RegistryUnavailable, "Connection refused by registry.example:5000.");
        chart.setStatus(sync.failed(chart, catchFailure(chart)).status());
        assertThat(events.reasons()).containsExactly("RegistryUnavailable");

        HelmOciChartStatus recovered = reconcile(chart).status();
        assertThat(condition(recovered, Constants.CONDITION_READY).getStatus()).isEqualTo("True");
        assertThat(recovered.getConditions()).extracting(Condition::getType).containsExactly(Constants.CONDITION_READY);
    }

    @Test
    void suspendedResourceMakesNoRegistryRequest() {
        HelmOciChart chart = chart(spec -> spec.setSuspend(true));

        ChartSync.Outcome outcome = reconcile(chart);

        assertThat(registry.requests()).isZero();
        assertThat(outcome.requeueAfter()).isEmpty();
        assertThat(condition(outcome.status(), Constants.CONDITION_READY).getReason())
                .isEqualTo(ConditionReasons.SUSPENDED);
    }

    @Test
    void suspendingKeepsTheReadyConditionOfTheServedArtifact() {
        registry.push(URL, "1.0.0", "one");
        HelmOciChart chart = chart(spec -> {});
        chart.setStatus(reconcile(chart).status());
        chart.getSpec().setSuspend(true);
        chart.getMetadata().setGeneration(2L);

        HelmOciChartStatus status = reconcile(chart).status();

        assertThat(registry.requests()).isEqualTo(2);
        assertThat(condition(status, Constants.CONDITION_READY).getStatus()).isEqualTo("True");
        assertThat(status.getObservedGeneration()).isEqualTo(2L);
    }

    @Test
    void requestedAtAnnotationIsEchoed() {
        registry.push(URL, "1.0.0", "one");
        HelmOciChart chart = chart(spec -> {});
        chart.getMetadata().setAnnotations(Map.of(Constants.REQUESTED_AT_ANNOTATION, "2026-01-02T03:00:00Z"));

        assertThat(reconcile(chart).status().getLastHandledReconcileAt()).isEqualTo("2026-01-02T03:00:00Z");
    }

    @Test
    void aNewCheckRequestDoesNotReuseAnswersSharedBeforeIt() {
        registry.push(URL, "1.0.0", "one");
        HelmOciChart chart = chart(spec -> {});
        chart.setStatus(reconcile(chart).status());
        assertThat(registry.forgotten).as("no request, nothing forgotten").isEmpty();

        chart.getMetadata().setAnnotations(Map.of(Constants.REQUESTED_AT_ANNOTATION, "2026-01-02T03:00:00Z"));
        chart.setStatus(reconcile(chart).status());
        assertThat(registry.forgotten).containsExactly(URL + "@2026-01-02T03:00:00Z");

        reconcile(chart);
        assertThat(registry.forgotten)
                .as("a handled request is not handled again")
                .hasSize(1);
    }

    @Test
    void missingSecretWaitsWithoutAskingTheRegistryAndRecoversOnceCreated() {
        registry.push(URL, "1.0.0", "one");
        HelmOciChart chart = chart(spec -> spec.setSecretRef(new LocalReference("pull")));

        ReconcileException failure = catchFailure(chart);
        assertThat(failure.reason()).isEqualTo(ConditionReasons.SECRET_NOT_FOUND);
        assertThat(failure.disposition()).isEqualTo(Disposition.WAIT);
        assertThat(failure.getMessage()).contains("pull", "apps");
        assertThat(registry.requests()).isZero();
        HelmOciChartStatus waiting = sync.failed(chart, failure).status();
        assertThat(waiting.getConditions()).extracting(Condition::getType).containsExactly(Constants.CONDITION_READY);

        String config = "{\"auths\":{\"registry.example:5000\":{\"auth\":\"dXNlcjpwYXNz\"}}}";
        lookup.put(dockerConfigSecret("pull", config));
        reconcile(chart);

        assertThat(registry.resolveRequests.get(0).access().dockerConfigJson()).isEqualTo(config);
    }

    @Test
    void aServiceAccountsMissingPullSecretIsSkippedAndNamedOnReady() {
        registry.push(URL, "1.0.0", "one");
        String config = "{\"auths\":{\"registry.example:5000\":{\"auth\":\"dXNlcjpwYXNz\"}}}";
        lookup.put(dockerConfigSecret("present", config));
        lookup.put(new ServiceAccountBuilder()
                .withNewMetadata()
                .withName("puller")
                .withNamespace("apps")
                .endMetadata()
                .addNewImagePullSecret("gone")
                .addNewImagePullSecret("present")
                .build());
        HelmOciChart chart = chart(spec -> spec.setServiceAccountName("puller"));

        HelmOciChartStatus status = reconcile(chart).status();

        assertThat(registry.resolveRequests.get(0).access().dockerConfigJson()).contains("dXNlcjpwYXNz");
        assertThat(condition(status, Constants.CONDITION_READY).getStatus()).isEqualTo("True");
        assertThat(condition(status, Constants.CONDITION_READY).getMessage())
                .startsWith("Serving podinfo 1.0.0")
                .contains(
                        "The imagePullSecrets gone of ServiceAccount puller do not exist in namespace apps and were skipped");
    }

    @Test
    void cleanupRemovesTheArtifactUnlessAnotherResourceServesIt() {
        registry.push(URL, "1.0.0", "one");
        HelmOciChart chart = chart(spec -> {});
        chart.setStatus(reconcile(chart).status());
        String content = chart.getStatus().getContentDigest();

        sync.cleanup(chart, content::equals);
        assertThat(registry.has(content)).isTrue();

        sync.cleanup(chart, NOT_USED_ELSEWHERE);
        assertThat(registry.has(content)).isFalse();
        assertThat(events.reasons()).endsWith(ConditionReasons.EVENT_ARTIFACT_REMOVED);
    }

    @Test
    void cleanupRemovesTheSupersededArchivesToo() {
        registry.push(URL, "1.0.0", "one");
        HelmOciChart chart = chart(spec -> {});
        chart.setStatus(reconcile(chart).status());
        String old = chart.getStatus().getContentDigest();
        registry.push(URL, "1.1.0", "one-one");
        chart.setStatus(reconcile(chart).status());
        events.clear();

        sync.cleanup(chart, NOT_USED_ELSEWHERE);

        assertThat(registry.has(old)).isFalse();
        assertThat(registry.has(chart.getStatus().getContentDigest())).isFalse();
        assertThat(events.reasons())
                .containsExactly(ConditionReasons.EVENT_ARTIFACT_REMOVED, ConditionReasons.EVENT_ARTIFACT_REMOVED);
    }

    @Test
    void intervalAndTimeoutComeFromTheSpec() {
        registry.push(URL, "1.0.0", "one");
        HelmOciChart chart = chart(spec -> {
            spec.setInterval("1m30s");
            spec.setTimeout("5s");
        });

        ChartSync.Outcome outcome = reconcile(chart);

        assertThat(outcome.requeueAfter())
                .hasValueSatisfying(d -> assertThat(d).isBetween(Duration.ofSeconds(45), Duration.ofSeconds(135)));
        assertThat(registry.resolveRequests.get(0).timeout()).isEqualTo(Duration.ofSeconds(5));
    }

    private ChartSync.Outcome reconcile(HelmOciChart chart) {
        return sync.reconcile(chart, lookup, progressReports::add);
    }

    private ReconcileException catchFailure(HelmOciChart chart) {
        Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(() -> reconcile(chart));
        assertThat(thrown).isInstanceOf(ReconcileException.class);
        return (ReconcileException) thrown;
    }

    static HelmOciChart chart(java.util.function.Consumer<HelmOciChartSpec> customize) {
        HelmOciChart chart = new HelmOciChart();
        chart.setMetadata(new ObjectMetaBuilder()
                .withName("podinfo")
                .withNamespace("apps")
                .withGeneration(1L)
                .withUid("uid-1")
                .build());
        HelmOciChartSpec spec = new HelmOciChartSpec();
        spec.setUrl(URL);
        customize.accept(spec);
        chart.setSpec(spec);
        return chart;
    }

    static Secret dockerConfigSecret(String name, String json) {
        return new SecretBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace("apps")
                .endMetadata()
                .withType("kubernetes.io/dockerconfigjson")
                .addToData(
                        ".dockerconfigjson", Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8)))
                .build();
    }

    static Condition condition(HelmOciChartStatus status, String type) {
        return status.getConditions().stream()
                .filter(c -> type.equals(c.getType()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + type + " condition in " + status.getConditions()));
    }
}
