package io.helmoci.operator.reconciler;

import io.helmoci.operator.api.v1alpha1.HelmOciChartStatus;
import java.util.Objects;
import java.util.Optional;

/** A new generation shows Reconciling=True before the registry is asked; a periodic check of an unchanged spec shows nothing. */
record ReportProgressOnNewGeneration() implements SyncStep {
    @Override
    public Optional<ChartSync.Outcome> run(SyncContext context) {
        HelmOciChartStatus previous = context.resource().getStatus();
        Long generation = context.resource().getMetadata().getGeneration();
        if (previous == null || !Objects.equals(previous.getObservedGeneration(), generation)) {
            context.reportProgress(context.status().progressing().status());
        }
        return CONTINUE;
    }
}
