package io.helmoci.operator.artifacts;

import io.helmoci.engine.EngineException;
import io.helmoci.operator.ReconcileException;
import io.helmoci.operator.api.v1alpha1.HelmOciChart;
import io.helmoci.operator.api.v1alpha1.HelmOciChartStatus;
import io.helmoci.operator.api.v1alpha1.SupersededArtifact;
import io.helmoci.operator.credentials.CredentialsReader;
import io.helmoci.operator.credentials.ObjectLookup;
import io.helmoci.operator.source.ArtifactStore;
import io.helmoci.operator.source.ChartLayer;
import io.helmoci.operator.source.ChartRequest;
import io.helmoci.operator.source.ChartSource;
import io.helmoci.operator.source.StoredChart;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Finds the archive a HelmOciChart publishes: the current one, or a superseded one within its
 * retention. Any replica can serve it: one that lacks the file (a fresh pod, a non-leader) fetches
 * it again by the digests in the status, with the resource's credentials, and serves only content
 * that matches the published digest.
 */
public final class ArtifactService {
    static final Duration REFETCH_TIMEOUT = Duration.ofSeconds(60);

    /** A complete, verified file and its digest. */
    public record ServedArtifact(Path path, String digest, long size) {}

    /** An archive the status publishes: what it must hash to, and the manifest to fetch it by. */
    private record Published(String contentDigest, String manifestDigest, long size) {}

    private final ChartSource source;
    private final ArtifactStore store;
    private final ObjectLookup lookup;
    private final Clock clock;

    public ArtifactService(ChartSource source, ArtifactStore store, ObjectLookup lookup, Clock clock) {
        this.source = source;
        this.store = store;
        this.lookup = lookup;
        this.clock = clock;
    }

    /**
     * The archive published under {@code fileName}; empty when the resource publishes none under
     * that name (another chart or version, or a superseded one past its retention).
     *
     * @throws ReconcileException when the archive must be fetched again and that fails
     */
    public Optional<ServedArtifact> find(HelmOciChart chart, String fileName) {
        return published(chart.getStatus(), fileName).map(published -> {
            Optional<Path> stored = store.stored(published.contentDigest(), published.size());
            if (stored.isPresent()) {
                return new ServedArtifact(
                        stored.get(),
                        published.contentDigest(),
                        stored.get().toFile().length());
            }
            StoredChart fetched = fetchAgain(chart, published);
            return new ServedArtifact(fetched.path(), fetched.contentDigest(), fetched.size());
        });
    }

    private Optional<Published> published(HelmOciChartStatus status, String fileName) {
        if (status == null
                || status.getArtifact() == null
                || status.getContentDigest() == null
                || status.getChart() == null) {
            return Optional.empty();
        }
        if (fileName.equals(ArtifactUrls.fileName(status.getChart().getName(), status.getResolvedVersion()))) {
            return Optional.of(new Published(
                    status.getContentDigest(),
                    status.getManifestDigest(),
                    sizeOrUnknown(status.getArtifact().getSize())));
        }
        List<SupersededArtifact> live = ArtifactRetention.live(status.getSupersededArtifacts(), clock.instant());
        return live == null
                ? Optional.empty()
                : live.stream()
                        .filter(entry -> entry.getUrl() != null
                                && entry.getUrl().endsWith("/" + fileName)
                                && entry.getManifestDigest() != null)
                        .reduce((older, newer) -> newer)
                        .map(entry -> new Published(
                                entry.getDigest(), entry.getManifestDigest(), sizeOrUnknown(entry.getSize())));
    }

    private StoredChart fetchAgain(HelmOciChart chart, Published published) {
        try {
            ChartRequest request = new ChartRequest(
                    chart.getSpec().getUrl(), null, null, new CredentialsReader(lookup).read(chart), REFETCH_TIMEOUT);
            // Exactly the published archive, by its digest and size (the store verifies both), with the resource's
            // credentials.
            return source.pull(request, new ChartLayer(published.contentDigest(), published.size(), null), null);
        } catch (EngineException e) {
            throw ReconcileException.from(e);
        }
    }

    private static long sizeOrUnknown(Long size) {
        return size == null ? -1 : size;
    }
}
