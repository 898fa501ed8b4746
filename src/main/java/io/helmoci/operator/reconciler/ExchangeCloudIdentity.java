package io.helmoci.operator.reconciler;

import io.helmoci.engine.Reason;
import io.helmoci.operator.ConditionReasons;
import io.helmoci.operator.ReconcileException;
import io.helmoci.operator.identity.WorkloadIdentity;
import java.util.Optional;

/**
 * With a cloud spec.provider: the registry credentials of the ServiceAccount's (or the operator's)
 * cloud identity replace the Secrets in the request. Cached credentials are used while fresh, so
 * most reconciliations make no token request and no exchange.
 */
record ExchangeCloudIdentity(WorkloadIdentity identity) implements SyncStep {
    @Override
    public Optional<ChartSync.Outcome> run(SyncContext context) {
        if (identity == null) {
            String provider = context.resource().getSpec().getProvider();
            if (provider != null && !provider.isBlank() && !provider.equals("generic")) {
                throw new ReconcileException(
                        ConditionReasons.of(Reason.CloudIdentityNotConfigured),
                        "This operator has no cloud workload identity support configured: use provider generic.",
                        ReconcileException.Disposition.STALLED);
            }
            return CONTINUE;
        }
        context.request(identity.apply(context.resource(), context.lookup(), context.request()));
        return CONTINUE;
    }
}
