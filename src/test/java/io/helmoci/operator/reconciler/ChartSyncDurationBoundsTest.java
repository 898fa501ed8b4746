package io.helmoci.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.helmoci.engine.store.ContentStore;
import io.helmoci.operator.Constants;
import io.helmoci.operator.artifacts.ArtifactRetention;
import io.helmoci.operator.artifacts.ArtifactUrls;
import io.helmoci.operator.credentials.InMemoryObjectLookup;
import io.helmoci.operator.credentials.ObjectLookup;
import io.helmoci.operator.events.RecordingEvents;
import io.helmoci.operator.fairness.ReconcileDurations;
import io.helmoci.operator.source.EngineArtifactStore;
import io.helmoci.testbed.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 7: spec.interval and spec.timeout are kept within the operator's bounds, and the Ready message says so. */
class ChartSyncDurationBoundsTest {
    @TempDir
    Path store;

    private final ObjectLookup nothing = new InMemoryObjectLookup();

    @Test
    void aTinyIntervalAndAHugeTimeoutAreBoundedAndNamedOnReady() {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-02T03:04:05Z"));
        ContentStore contentStore = new ContentStore(store, Long.MAX_VALUE, clock);
        FakeChartSource registry = new FakeChartSource(contentStore);
        ReconcileDurations bounds = new ReconcileDurations(
                Duration.ofSeconds(10),
                "min-interval-setting",
                ReconcileDurations.MIN_TIMEOUT,
                Duration.ofMinutes(5),
                "max-timeout-setting");
        ChartSync sync = new ChartSync(
                registry,
                new EngineArtifactStore(contentStore),
                new ArtifactUrls("http://artifacts.test/"),
                new ArtifactRetention(Duration.ofMinutes(5)),
                new RecordingEvents(),
                clock,
                bounds);
        registry.push(ChartSyncTest.URL, "1.0.0", "one");

        ChartSync.Outcome outcome = sync.reconcile(
                ChartSyncTest.chart(spec -> {
                    spec.setVersion("1.0.0");
                    spec.setInterval("1ns");
                    spec.setTimeout("10m");
                }),
                nothing,
                progress -> {});

        assertThat(outcome.requeueAfter())
                .hasValueSatisfying(d -> assertThat(d).isBetween(Duration.ofSeconds(5), Duration.ofSeconds(15)));
        assertThat(registry.resolveRequests.get(0).timeout()).isEqualTo(Duration.ofMinutes(5));
        Condition ready = outcome.status().getConditions().stream()
                .filter(c -> Constants.CONDITION_READY.equals(c.getType()))
                .findFirst()
                .orElseThrow();
        assertThat(ready.getStatus()).isEqualTo("True");
        assertThat(ready.getMessage())
                .contains(
                        "Serving podinfo 1.0.0",
                        "spec.interval 1ns is raised to 10s (min-interval-setting)",
                        "spec.timeout 10m is lowered to 5m (max-timeout-setting)");
    }
}
