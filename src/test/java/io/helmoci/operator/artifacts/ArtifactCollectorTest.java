package io.helmoci.operator.artifacts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.helmoci.engine.chart.ChartLimits;
import io.helmoci.engine.registry.Descriptor;
import io.helmoci.engine.registry.Digest;
import io.helmoci.engine.store.ContentStore;
import io.helmoci.operator.ConditionReasons;
import io.helmoci.operator.api.v1alpha1.HelmOciChart;
import io.helmoci.operator.api.v1alpha1.HelmOciChartStatus;
import io.helmoci.operator.api.v1alpha1.SupersededArtifact;
import io.helmoci.operator.events.RecordingEvents;
import io.helmoci.operator.source.EngineArtifactStore;
import io.helmoci.operator.source.StoredBlob;
import io.helmoci.testbed.MutableClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sweep over a real content store, with manifests as helm push writes them and a clock the test moves. */
class ArtifactCollectorTest {
    static final Duration RETENTION = Duration.ofMinutes(5);

    @TempDir
    Path root;

    final MutableClock clock = new MutableClock(Instant.parse("2026-05-01T12:00:00Z"));
    final RecordingEvents events = new RecordingEvents();
    final List<HelmOciChart> resources = new ArrayList<>();
    ContentStore contentStore;
    EngineArtifactStore store;
    ArtifactCollector collector;

    /** One chart version in the store: its manifest, config and archive. */
    record Stored(String manifest, String config, String archive, long size) {}

    @BeforeEach
    void setUp() {
        contentStore = new ContentStore(root, ChartLimits.defaults().maxArchiveBytes(), clock);
        store = new EngineArtifactStore(contentStore);
        collector = collector(() -> List.copyOf(resources));
    }

    @Test
    void anExpiredSupersededArchiveGoesWithItsManifestAndConfigWhileTheCurrentOneStays() {
        Stored v1 = put("1.0.0");
        Stored v2 = put("1.1.0");
        resources.add(chart("web", v2, superseded(v1, "2026-05-01T12:05:00Z")));

        clock.advance(Duration.ofMinutes(4));
        assertThat(collector.sweep().removed()).as("within the retention").isEmpty();

        clock.advance(Duration.ofMinutes(2));
        ArtifactCollector.Sweep sweep = collector.sweep();

        assertThat(sweep.removed()).containsExactlyInAnyOrder(v1.archive(), v1.manifest(), v1.config());
        assertThat(storedDigests()).containsExactlyInAnyOrder(v2.archive(), v2.manifest(), v2.config());
        assertThat(events.events).singleElement().satisfies(event -> {
            assertThat(event.resource()).isEqualTo("apps/web");
            assertThat(event.reason()).isEqualTo(ConditionReasons.EVENT_ARTIFACT_REMOVED);
            assertThat(event.message()).contains("web-1.0.0.tgz", v1.archive(), "2026-05-01T12:05:00Z");
        });
        assertThat(collector.sweep().removed()).as("nothing twice").isEmpty();
        assertThat(events.events).hasSize(1);
    }

    @Test
    void aBlobAnotherResourceStillReferencesStaysEvenWhenThatResourceIsFailing() {
        Stored v1 = put("1.0.0");
        Stored v2 = put("1.1.0");
        resources.add(chart("upgraded", v2, superseded(v1, "2026-05-01T12:05:00Z")));
        HelmOciChart pinned = chart("pinned", v1);
        pinned.getStatus()
                .setConditions(List.of(new ConditionBuilder()
                        .withType("Ready")
                        .withStatus("False")
                        .withReason("RegistryUnavailable")
                        .build()));
        resources.add(pinned);

        clock.advance(Duration.ofDays(30));
        ArtifactCollector.Sweep sweep = collector.sweep();

        assertThat(sweep.removed()).isEmpty();
        assertThat(storedDigests())
                .containsExactlyInAnyOrder(
                        v1.archive(), v1.manifest(), v1.config(), v2.archive(), v2.manifest(), v2.config());
        assertThat(events.events).isEmpty();
    }

    @Test
    void everyBlobAnIndexReachesIsKept() {
        Stored chart = put("2.0.0");
        byte[] index =
                ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[{\"mediaType\":"
                                + "\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" + chart.manifest()
                                + "\",\"size\":1}]}")
                        .getBytes(StandardCharsets.UTF_8);
        String indexDigest = putBlob(index);
        resources.add(chart("indexed", new Stored(indexDigest, null, chart.archive(), chart.size())));

        clock.advance(Duration.ofDays(1));

        assertThat(collector.sweep().removed()).isEmpty();
        assertThat(storedDigests())
                .containsExactlyInAnyOrder(indexDigest, chart.manifest(), chart.config(), chart.archive());
    }

    @Test
    void anUnreferencedBlobGoesOnceUnusedForTheRetention() {
        Stored orphan = put("0.1.0"); // pulled, but its status was never written (or its resource was deleted)

        clock.advance(RETENTION);
        assertThat(collector.sweep().removed())
                .as("unused for exactly the retention")
                .isEmpty();

        assertThat(store.stored(orphan.archive(), orphan.size()))
                .as("a reconciliation finds and uses the archive")
                .isPresent();
        clock.advance(Duration.ofSeconds(1));
        assertThat(collector.sweep().removed())
                .as("what was not used goes")
                .containsExactlyInAnyOrder(orphan.manifest(), orphan.config());

        clock.advance(RETENTION.minusSeconds(2));
        assertThat(collector.sweep().removed()).isEmpty();
        clock.advance(Duration.ofSeconds(2));
        assertThat(collector.sweep().removed()).containsExactly(orphan.archive());
        assertThat(events.events).as("no resource listed it").isEmpty();
    }

    @Test
    void anExpiredArchiveUsedAfterItsExpiryIsBeingAdoptedAndStays() {
        Stored v1 = put("1.0.0");
        Stored v2 = put("1.1.0");
        resources.add(chart("web", v2, superseded(v1, "2026-05-01T12:05:00Z")));
        clock.advance(Duration.ofMinutes(6));
        store.stored(
                v1.archive(),
                v1.size()); // a reconciliation of another resource found it; its status is not written yet

        assertThat(collector.sweep().removed()).doesNotContain(v1.archive());
    }

    @Test
    void whenTheResourcesCannotBeListedNothingIsDeleted() {
        Stored orphan = put("0.1.0");
        clock.advance(Duration.ofDays(1));
        ArtifactCollector failing = collector(() -> {
            throw new IllegalStateException("the API server is unreachable");
        });

        assertThatThrownBy(failing::sweep).hasMessageContaining("unreachable");
        assertThat(storedDigests()).contains(orphan.archive(), orphan.manifest(), orphan.config());
    }

    private ArtifactCollector collector(Supplier<List<HelmOciChart>> charts) {
        return new ArtifactCollector(store, charts, new ArtifactRetention(RETENTION), events, clock);
    }

    /** Writes a chart version as helm push lays it out: config, archive, and a manifest naming both. */
    private Stored put(String version) {
        byte[] config = ("{\"apiVersion\":\"v2\",\"name\":\"web\",\"version\":\"" + version + "\"}")
                .getBytes(StandardCharsets.UTF_8);
        byte[] archive = ("pretend tgz of web " + version).getBytes(StandardCharsets.UTF_8);
        String configDigest = putBlob(config);
        String archiveDigest = putBlob(archive);
        byte[] manifest =
                ("{\"schemaVersion\":2,\"config\":{\"mediaType\":\"application/vnd.cncf.helm.config.v1+json\",\"digest\":\""
                                + configDigest + "\",\"size\":" + config.length + "},\"layers\":[{\"mediaType\":"
                                + "\"application/vnd.cncf.helm.chart.content.v1.tar+gzip\",\"digest\":\""
                                + archiveDigest + "\",\"size\":"
                                + archive.length + "}]}")
                        .getBytes(StandardCharsets.UTF_8);
        return new Stored(putBlob(manifest), configDigest, archiveDigest, archive.length);
    }

    private String putBlob(byte[] content) {
        Digest digest = Digest.sha256(content);
        contentStore.put(digest, content);
        assertThat(contentStore.find(new Descriptor(null, digest.toString(), content.length)))
                .isPresent();
        return digest.toString();
    }

    private List<String> storedDigests() {
        return store.storedBlobs().stream().map(StoredBlob::digest).toList();
    }

    private static HelmOciChart chart(String name, Stored current, SupersededArtifact... superseded) {
        HelmOciChart chart = new HelmOciChart();
        chart.setMetadata(
                new ObjectMetaBuilder().withNamespace("apps").withName(name).build());
        HelmOciChartStatus status = new HelmOciChartStatus();
        status.setContentDigest(current.archive());
        status.setManifestDigest(current.manifest());
        status.setSupersededArtifacts(superseded.length == 0 ? null : List.of(superseded));
        chart.setStatus(status);
        return chart;
    }

    private static SupersededArtifact superseded(Stored old, String expiry) {
        return new SupersededArtifact(
                "http://operator.test/artifacts/apps/web/web-1.0.0.tgz",
                old.archive(),
                old.manifest(),
                old.size(),
                expiry);
    }
}
