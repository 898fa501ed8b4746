package io.helmoci.operator.reconciler;

import io.helmoci.operator.api.v1alpha1.HelmOciChart;
import io.helmoci.operator.fairness.ReconcileDurations;
import io.helmoci.operator.source.ChartSource;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;

/** Version, tag, manifest and chart layer from the registry, without downloading the archive (one HEAD when nothing changed). */
record Resolve(ChartSource source, ReconcileDurations durations, Clock clock) implements SyncStep {
    @Override
    public Optional<ChartSync.Outcome> run(SyncContext context) {
        HelmOciChart resource = context.resource();
        // A periodic check shares what its repository's round already asked the registry (CheckSchedule).
        Optional<Instant> round = CheckSchedule.sharedRoundStart(
                resource, durations.interval(resource.getSpec().getInterval()), clock.instant());
        context.resolved(source.resolve(context.request(), round.orElse(null)));
        context.status().checked();
        return CONTINUE;
    }
}
