package io.helmoci.operator.reconciler;

import io.helmoci.operator.ConditionReasons;
import io.helmoci.operator.ReconcileException;
import io.helmoci.operator.ReconcileException.Disposition;
import io.helmoci.operator.source.ArtifactStore;
import io.helmoci.operator.source.ChartSource;
import io.helmoci.operator.source.ResolvedChart;
import io.helmoci.operator.source.StoredChart;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Optional;

/** The resolved chart archive from the store, else downloaded by exactly the resolved chart layer. */
record PullIfNotStored(ChartSource source, ArtifactStore store) implements SyncStep {
    @Override
    public Optional<ChartSync.Outcome> run(SyncContext context) {
        ResolvedChart resolved = context.resolved();
        try {
            Optional<Path> stored = store.stored(resolved.contentDigest(), resolved.size());
            if (stored.isPresent()) {
                context.stored(new StoredChart(resolved.contentDigest(), resolved.size(), stored.get()));
                return CONTINUE;
            }
            StoredChart pulled = source.pull(context.request(), resolved.chartLayer(), resolved.version());
            if (!pulled.contentDigest().equals(resolved.contentDigest())) {
                throw new IllegalStateException(
                        "pulled " + pulled.contentDigest() + " instead of " + resolved.contentDigest());
            }
            context.stored(pulled);
            return CONTINUE;
        } catch (UncheckedIOException e) {
            throw new ReconcileException(
                    ConditionReasons.STORAGE_FAILED,
                    "Could not write the chart to the operator's store: "
                            + e.getCause().getMessage()
                            + ". Check the volume mounted for the store (space, permissions).",
                    Disposition.RETRY,
                    e);
        }
    }
}
