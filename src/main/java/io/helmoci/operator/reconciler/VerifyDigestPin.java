package io.helmoci.operator.reconciler;

import io.helmoci.engine.Reason;
import io.helmoci.operator.ConditionReasons;
import io.helmoci.operator.ReconcileException;
import io.helmoci.operator.ReconcileException.Disposition;
import io.helmoci.operator.source.ResolvedChart;
import java.util.Optional;

/** The engine checks the pin too; checked here again because publishing unpinned content would be worse than a duplicate check. */
record VerifyDigestPin() implements SyncStep {
    @Override
    public Optional<ChartSync.Outcome> run(SyncContext context) {
        String pin = context.resource().getSpec().getDigest();
        ResolvedChart resolved = context.resolved();
        if (pin != null && !pin.isBlank() && !pin.equals(resolved.manifestDigest())) {
            throw new ReconcileException(
                    ConditionReasons.of(Reason.DigestMismatch),
                    "Version " + resolved.version() + " of "
                            + context.resource().getSpec().getUrl() + " resolves to "
                            + resolved.manifestDigest() + ", not to the pinned digest " + pin
                            + ": update spec.digest if the tag was moved on purpose, or fix the tag.",
                    Disposition.STALLED);
        }
        return CONTINUE;
    }
}
