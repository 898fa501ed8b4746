package io.helmoci.operator.artifacts;

import io.helmoci.engine.EngineException;
import io.helmoci.operator.ConditionReasons;
import io.helmoci.operator.ReconcileException;
import io.helmoci.operator.api.v1alpha1.HelmOciChart;
import io.helmoci.operator.api.v1alpha1.HelmOciChartStatus;
import io.helmoci.operator.credentials.CredentialsReader;
import io.helmoci.operator.credentials.ObjectLookup;
import io.helmoci.operator.source.ChartRequest;
import io.helmoci.operator.source.ChartSource;
import io.helmoci.operator.source.ResolvedChart;
import io.helmoci.operator.source.StoredChart;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Finds the archive a HelmOciChart publishes. Any replica can serve it: one that lacks the file
 * (a fresh pod, a non-leader) fetches it again by the digests in the status, with the resource's
 * credentials, and serves only content that matches status.contentDigest.
 */
public final class ArtifactService {
    static final Duration REFETCH_TIMEOUT = Duration.ofSeconds(60);

    /** A complete, verified file and its digest. */
    public record ServedArtifact(Path path, String digest, long size) {
    }

    private final ChartSource source;
    private final ObjectLookup lookup;

    public ArtifactService(ChartSource source, ObjectLookup lookup) {
        this.source = source;
        this.lookup = lookup;
    }

    /**
     * The archive published under {@code fileName}; empty when the resource publishes none or
     * another file name (a different chart or version).
     *
     * @throws ReconcileException when the archive must be fetched again and that fails
     */
    public Optional<ServedArtifact> find(HelmOciChart chart, String fileName) {
        HelmOciChartStatus status = chart.getStatus();
        if (status == null || status.getArtifact() == null || status.getContentDigest() == null || status.getChart() == null
                || !fileName.equals(ArtifactUrls.fileName(status.getChart().getName(), status.getResolvedVersion()))) {
            return Optional.empty();
        }
        long size = status.getArtifact().getSize() == null ? -1 : status.getArtifact().getSize();
        Optional<Path> stored = source.stored(status.getContentDigest(), size);
        if (stored.isPresent()) {
            return Optional.of(new ServedArtifact(stored.get(), status.getContentDigest(), stored.get().toFile().length()));
        }
        StoredChart fetched = fetchAgain(chart, status, size);
        return Optional.of(new ServedArtifact(fetched.path(), fetched.contentDigest(), fetched.size()));
    }

    private StoredChart fetchAgain(HelmOciChart chart, HelmOciChartStatus status, long size) {
        try {
            ChartRequest request = new ChartRequest(chart.getSpec().getUrl(), null, status.getManifestDigest(),
                    new CredentialsReader(lookup).read(chart), REFETCH_TIMEOUT);
            ResolvedChart published = new ResolvedChart(status.getResolvedVersion(), status.getTag(), status.getManifestDigest(),
                    status.getContentDigest(), size, status.getChart(), List.of(), List.of());
            StoredChart fetched = source.pull(request, published);
            if (!fetched.contentDigest().equals(status.getContentDigest())) {
                throw new ReconcileException(ConditionReasons.of(io.helmoci.engine.Reason.DigestMismatch),
                        "Manifest " + status.getManifestDigest() + " now holds " + fetched.contentDigest() + ", not the published "
                                + status.getContentDigest() + ".", ReconcileException.Disposition.STALLED);
            }
            return fetched;
        } catch (EngineException e) {
            throw ReconcileException.from(e);
        }
    }
}
