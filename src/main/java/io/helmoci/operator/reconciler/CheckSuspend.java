package io.helmoci.operator.reconciler;

import java.util.Optional;

/** spec.suspend: stop before any registry request; only a spec change resumes (no requeue). */
record CheckSuspend() implements SyncStep {
    @Override
    public Optional<ChartSync.Outcome> run(SyncContext context) {
        if (!Boolean.TRUE.equals(context.resource().getSpec().getSuspend())) {
            return CONTINUE;
        }
        return Optional.of(ChartSync.Outcome.of(context.status().suspended(), Optional.empty()));
    }
}
