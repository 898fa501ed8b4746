package io.helmoci.operator.reconciler;

import io.helmoci.operator.api.v1alpha1.HelmOciChartSpec;
import io.helmoci.operator.credentials.CredentialsReader;
import io.helmoci.operator.fairness.ReconcileDurations;
import io.helmoci.operator.source.ChartRequest;
import io.helmoci.operator.source.RegistryAccess;
import java.time.Duration;
import java.util.Optional;

/** The referenced Secrets and ServiceAccount, read before any registry request; the request the next steps send. */
record ReadCredentials(ReconcileDurations durations) implements SyncStep {
    @Override
    public Optional<ChartSync.Outcome> run(SyncContext context) {
        CredentialsReader credentials = new CredentialsReader(context.lookup());
        RegistryAccess access = credentials.read(context.resource());
        context.note(credentials.missingPullSecretsNote(context.resource()));
        HelmOciChartSpec spec = context.resource().getSpec();
        Duration timeout = durations.timeout(spec.getTimeout());
        context.request(new ChartRequest(spec.getUrl(), spec.getVersion(), spec.getDigest(), access, timeout));
        return CONTINUE;
    }
}
