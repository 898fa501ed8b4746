package io.helmoci.operator.artifacts;

import io.helmoci.operator.ConditionReasons;
import io.helmoci.operator.api.v1alpha1.HelmOciChart;
import io.helmoci.operator.api.v1alpha1.HelmOciChartStatus;
import io.helmoci.operator.api.v1alpha1.SupersededArtifact;
import io.helmoci.operator.events.EventRecorder;
import io.helmoci.operator.source.ArtifactStore;
import io.helmoci.operator.source.StoredBlob;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Sweeps the local store against every HelmOciChart's status (mark and sweep; any replica, on its
 * own store). With {@code listedAt} the time the resources were listed:
 * <ul>
 * <li>Kept: every blob a status references, whatever the resource's conditions: the current
 *     archive and manifest with what the manifest references (config, layers, an index's
 *     manifests), and the same for superseded archives within their retention. A blob that several
 *     resources share stays while any of them references it. A failed check leaves the status
 *     fields, so the last good artifact is never deleted.</li>
 * <li>A superseded archive past its expiry that nothing else references: deleted, unless it was
 *     used after its expiry (a reconciliation adopting the same content); an ArtifactRemoved event
 *     goes to each resource that listed it.</li>
 * <li>Anything else (manifests and configs of old versions, archives of deleted resources,
 *     leftovers of pulls whose status was never written): deleted once unused for the retention,
 *     so a reconciliation between its pull and its status write keeps what it pulled.</li>
 * </ul>
 */
public final class ArtifactCollector {
    private static final Logger LOG = Logger.getLogger(ArtifactCollector.class);

    /** What one sweep did. */
    public record Sweep(List<String> removed) {}

    private record Expired(HelmOciChart chart, SupersededArtifact entry) {}

    private final ArtifactStore store;
    private final Supplier<List<HelmOciChart>> charts;
    private final ArtifactRetention retention;
    private final EventRecorder events;
    private final Clock clock;

    /** @param charts every HelmOciChart, as the API server has them now; throws when they cannot be listed */
    public ArtifactCollector(
            ArtifactStore store,
            Supplier<List<HelmOciChart>> charts,
            ArtifactRetention retention,
            EventRecorder events,
            Clock clock) {
        this.store = store;
        this.charts = charts;
        this.retention = retention;
        this.events = events;
        this.clock = clock;
    }

    /** One sweep; when the resources cannot be listed it throws and deletes nothing. */
    public Sweep sweep() {
        Instant listedAt = clock.instant();
        List<HelmOciChart> all = charts.get();
        Set<String> manifests = new HashSet<>();
        Set<String> referenced = new HashSet<>();
        Map<String, List<Expired>> expired = new HashMap<>();
        for (HelmOciChart chart : all) {
            markReferences(chart, listedAt, manifests, referenced, expired);
        }
        referenced.addAll(store.storedClosure(manifests));

        List<String> removed = new ArrayList<>();
        for (StoredBlob blob : store.storedBlobs()) {
            if (referenced.contains(blob.digest())) {
                continue;
            }
            List<Expired> owners = expired.getOrDefault(blob.digest(), List.of());
            Instant cutoff = unusedSince(owners, listedAt);
            if (blob.lastUsed().isBefore(cutoff) && store.removeIfUnusedSince(blob.digest(), cutoff)) {
                removed.add(blob.digest());
                owners.forEach(owner -> events.normal(
                        owner.chart(),
                        ConditionReasons.EVENT_ARTIFACT_REMOVED,
                        "Removed superseded artifact " + owner.entry().getUrl() + " (" + blob.digest()
                                + "): its retention ended at " + owner.entry().getExpiryTime() + "."));
            }
        }
        if (!removed.isEmpty()) {
            LOG.infof("Removed %d unreferenced blob(s) from the store: %s", removed.size(), removed);
        }
        return new Sweep(removed);
    }

    private static void markReferences(
            HelmOciChart chart,
            Instant now,
            Set<String> manifests,
            Set<String> referenced,
            Map<String, List<Expired>> expired) {
        HelmOciChartStatus status = chart.getStatus();
        if (status == null) {
            return;
        }
        addIfSet(referenced, status.getContentDigest());
        addIfSet(manifests, status.getManifestDigest());
        if (status.getSupersededArtifacts() == null) {
            return;
        }
        for (SupersededArtifact entry : status.getSupersededArtifacts()) {
            if (entry.getDigest() == null) {
                continue;
            }
            if (ArtifactRetention.isLive(entry, now)) {
                referenced.add(entry.getDigest());
                addIfSet(manifests, entry.getManifestDigest());
            } else {
                expired.computeIfAbsent(entry.getDigest(), d -> new ArrayList<>())
                        .add(new Expired(chart, entry));
            }
        }
    }

    /** A blob last used before this instant may go: the latest expiry of the entries that listed it, else the retention ago. */
    private Instant unusedSince(List<Expired> owners, Instant listedAt) {
        return owners.stream()
                .flatMap(owner -> ArtifactRetention.expiry(owner.entry()).stream())
                .max(Comparator.naturalOrder())
                .orElse(listedAt.minus(retention.retention()));
    }

    private static void addIfSet(Set<String> into, String digest) {
        if (digest != null) {
            into.add(digest);
        }
    }
}
