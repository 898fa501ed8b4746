package io.helmoci.operator.reconciler;

import java.util.Optional;

/**
 * One step of a reconciliation, with one signature for all, as Flux's source-controller runs its
 * {@code []ociRepositoryReconcileFunc}: a step reads and fills the {@link SyncContext}, reports
 * what it found through the context's status aggregator, and then either continues
 * ({@link #CONTINUE}), stops the reconciliation with an outcome, or throws a
 * {@link io.helmoci.operator.ReconcileException} (an engine exception is mapped to one) whose
 * reason becomes the Ready condition's. Adding a step is one class and one line in
 * {@link ChartSync}'s list.
 */
@FunctionalInterface
interface SyncStep {
    /** Go on with the next step. */
    Optional<ChartSync.Outcome> CONTINUE = Optional.empty();

    /** @return {@link #CONTINUE}, or the outcome that ends this reconciliation */
    Optional<ChartSync.Outcome> run(SyncContext context);
}
