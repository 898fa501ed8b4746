package io.helmoci.operator.reconciler;

import io.helmoci.operator.source.ChartSource;
import java.util.Optional;

/** Version, tag, manifest and chart layer from the registry, without downloading the archive (one HEAD when nothing changed). */
record Resolve(ChartSource source) implements SyncStep {
    @Override
    public Optional<ChartSync.Outcome> run(SyncContext context) {
        context.resolved(source.resolve(context.request()));
        context.status().checked();
        return CONTINUE;
    }
}
