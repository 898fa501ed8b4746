package io.helmoci.operator.reconciler;

import io.helmoci.operator.artifacts.ArtifactRetention;
import java.util.Optional;

/**
 * The replaced archive stays served at its URL for the retention (a client may have just read it);
 * expired entries drop out of the status. Deleting files is the collector's job.
 */
record RetainSupersededArtifact(ArtifactRetention retention) implements SyncStep {
    @Override
    public Optional<ChartSync.Outcome> run(SyncContext context) {
        context.status().retainSuperseded(retention);
        return CONTINUE;
    }
}
