package io.helmoci.operator.artifacts;

import static org.assertj.core.api.Assertions.assertThat;

import io.helmoci.operator.Constants;
import io.helmoci.operator.api.v1alpha1.Artifact;
import io.helmoci.operator.api.v1alpha1.HelmOciChartStatus;
import io.helmoci.operator.api.v1alpha1.SupersededArtifact;
import io.helmoci.testbed.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ArtifactRetentionTest {
    static final String BASE = "http://operator.test/artifacts/apps/web/";
    final MutableClock clock = new MutableClock(Instant.parse("2026-05-01T12:00:00.400Z"));
    final ArtifactRetention retention = new ArtifactRetention(Duration.ofMinutes(5));

    @Test
    void aReplacedArchiveIsListedUntilNowPlusTheRetention() {
        List<SupersededArtifact> list = retention.supersede(
                null, replaced("1.0.0", "sha256:aa"), current("1.1.0", "sha256:bb"), clock.instant());

        assertThat(list).singleElement().satisfies(entry -> {
            assertThat(entry.getUrl()).isEqualTo(BASE + "web-1.0.0.tgz");
            assertThat(entry.getDigest()).isEqualTo("sha256:aa");
            assertThat(entry.getManifestDigest()).isEqualTo("sha256:manifest-of-1.0.0");
            assertThat(entry.getSize()).isEqualTo(42L);
            assertThat(entry.getExpiryTime()).isEqualTo("2026-05-01T12:05:00Z");
        });
        SupersededArtifact entry = list.get(0);
        assertThat(ArtifactRetention.isLive(entry, clock.instant())).isTrue();
        clock.advance(Duration.ofMinutes(4).plusSeconds(59));
        assertThat(ArtifactRetention.isLive(entry, clock.instant())).isTrue();
        clock.advance(Duration.ofSeconds(1));
        assertThat(ArtifactRetention.isLive(entry, clock.instant()))
                .as("expired at 12:05:00")
                .isFalse();
        assertThat(ArtifactRetention.live(list, clock.instant())).isNull();
    }

    @Test
    void expiredEntriesAndTheCurrentContentOrUrlDropOut() {
        List<SupersededArtifact> list = retention.supersede(
                null, replaced("1.0.0", "sha256:aa"), current("1.1.0", "sha256:bb"), clock.instant());
        clock.advance(Duration.ofMinutes(3));
        list = retention.supersede(
                list, replaced("1.1.0", "sha256:bb"), current("1.2.0", "sha256:cc"), clock.instant());
        assertThat(list).extracting(SupersededArtifact::getDigest).containsExactly("sha256:aa", "sha256:bb");

        clock.advance(Duration.ofMinutes(3)); // 1.0.0 expired, 1.1.0 not
        assertThat(retention.supersede(list, null, current("1.2.0", "sha256:cc"), clock.instant()))
                .extracting(SupersededArtifact::getDigest)
                .containsExactly("sha256:bb");
        assertThat(retention.supersede(list, null, current("1.1.0", "sha256:bb"), clock.instant()))
                .as("back to 1.1.0: it is current again, not superseded")
                .isNull();
        assertThat(retention.supersede(list, null, current("1.1.0", "sha256:dd"), clock.instant()))
                .as("1.1.0 re-pushed: its URL serves the new content")
                .isNull();
    }

    @Test
    void theListIsBoundedOldestFirstOut() {
        List<SupersededArtifact> list = null;
        for (int i = 0; i < Constants.MAX_SUPERSEDED_ARTIFACTS + 3; i++) {
            list = retention.supersede(
                    list,
                    replaced("1." + i + ".0", "sha256:" + i),
                    current("2.0.0", "sha256:current"),
                    clock.instant());
        }
        assertThat(list).hasSize(Constants.MAX_SUPERSEDED_ARTIFACTS);
        assertThat(list.get(0).getDigest()).isEqualTo("sha256:3");
        assertThat(list.get(list.size() - 1).getDigest())
                .isEqualTo("sha256:" + (Constants.MAX_SUPERSEDED_ARTIFACTS + 2));
    }

    @Test
    void aZeroRetentionListsNothing() {
        ArtifactRetention none = new ArtifactRetention(Duration.ZERO);
        assertThat(none.supersede(null, replaced("1.0.0", "sha256:aa"), current("1.1.0", "sha256:bb"), clock.instant()))
                .isNull();
        assertThat(none.sweepPeriod()).isEqualTo(Constants.MIN_SWEEP_PERIOD);
    }

    @Test
    void anEntryWithoutAReadableExpiryIsNotServed() {
        SupersededArtifact broken = replaced("1.0.0", "sha256:aa");
        broken.setExpiryTime("tomorrow");
        assertThat(ArtifactRetention.isLive(broken, clock.instant())).isFalse();
        broken.setExpiryTime(null);
        assertThat(ArtifactRetention.isLive(broken, clock.instant())).isFalse();
    }

    @Test
    void theStoreIsSweptEveryFifthOfTheRetentionWithinBounds() {
        assertThat(retention.sweepPeriod()).isEqualTo(Duration.ofMinutes(1));
        assertThat(new ArtifactRetention(Duration.ofSeconds(10)).sweepPeriod()).isEqualTo(Duration.ofSeconds(2));
        assertThat(new ArtifactRetention(Duration.ofSeconds(2)).sweepPeriod()).isEqualTo(Constants.MIN_SWEEP_PERIOD);
        assertThat(new ArtifactRetention(Duration.ofHours(1)).sweepPeriod()).isEqualTo(Constants.MAX_SWEEP_PERIOD);
    }

    @Test
    void archiveDigestsNameTheCurrentAndEverySupersededArchive() {
        HelmOciChartStatus status = new HelmOciChartStatus();
        status.setContentDigest("sha256:bb");
        status.setSupersededArtifacts(new ArrayList<>(List.of(replaced("1.0.0", "sha256:aa"))));
        assertThat(ArtifactRetention.archiveDigests(status)).containsExactly("sha256:bb", "sha256:aa");
        assertThat(ArtifactRetention.archiveDigests(null)).isEmpty();
    }

    static SupersededArtifact replaced(String version, String digest) {
        return new SupersededArtifact(
                BASE + "web-" + version + ".tgz", digest, "sha256:manifest-of-" + version, 42L, null);
    }

    static Artifact current(String version, String digest) {
        Artifact artifact = new Artifact();
        artifact.setUrl(BASE + "web-" + version + ".tgz");
        artifact.setDigest(digest);
        artifact.setSize(7L);
        return artifact;
    }
}
