package io.helmoci.operator.reconciler;

import io.helmoci.engine.GoDuration;
import io.helmoci.operator.api.v1alpha1.HelmOciChartSpec;
import io.helmoci.operator.credentials.CredentialsReader;
import io.helmoci.operator.source.ChartRequest;
import io.helmoci.operator.source.RegistryAccess;

import java.time.Duration;
import java.util.Optional;

/** The referenced Secrets and ServiceAccount, read before any registry request; the request the next steps send. */
record ReadCredentials() implements SyncStep {
    @Override
    public Optional<ChartSync.Outcome> run(SyncContext context) {
        RegistryAccess access = new CredentialsReader(context.lookup()).read(context.resource());
        HelmOciChartSpec spec = context.resource().getSpec();
        Duration timeout = ChartSync.atLeastMinimum(GoDuration.parseOr(spec.getTimeout(), ChartSync.DEFAULT_TIMEOUT));
        context.request(new ChartRequest(spec.getUrl(), spec.getVersion(), spec.getDigest(), access, timeout));
        return CONTINUE;
    }
}
