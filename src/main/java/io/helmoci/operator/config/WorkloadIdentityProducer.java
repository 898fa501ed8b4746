package io.helmoci.operator.config;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.helmoci.engine.cloud.CloudCredentials;
import io.helmoci.engine.cloud.CloudSettings;
import io.helmoci.engine.registry.ProxyRules;
import io.helmoci.operator.identity.ClientServiceAccountTokens;
import io.helmoci.operator.identity.WorkloadIdentity;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import java.util.Map;
import java.util.Set;

/** Cloud workload identity from helmoci.identity.*, over the variables the clouds' SDKs read. */
public class WorkloadIdentityProducer {
    @Produces
    @ApplicationScoped
    WorkloadIdentity workloadIdentity(OperatorConfig config, KubernetesClient client, MeterRegistry meters) {
        Map<String, String> environment = System.getenv();
        OperatorConfig.Identity identity = config.identity();
        CloudSettings fromEnvironment = CloudSettings.fromEnvironment(environment);
        CloudSettings settings = new CloudSettings(
                identity.aws().stsEndpoint().orElse(fromEnvironment.awsStsEndpoint()),
                identity.aws().ecrEndpoint().orElse(fromEnvironment.awsEcrEndpoint()),
                identity.aws().region().orElse(fromEnvironment.awsRegion()),
                identity.azure().authorityHost().orElse(fromEnvironment.azureAuthorityHost()),
                identity.azure().scope().orElse(null),
                identity.gcp().metadataHost().orElse(fromEnvironment.gcpMetadataHost()),
                identity.gcp().stsUrl().orElse(fromEnvironment.gcpStsUrl()),
                Set.copyOf(identity.registryHosts().orElse(java.util.List.of())));
        CloudCredentials credentials = new CloudCredentials(settings);
        // One exchange per credential lifetime and identity: a count that grows with reconciles is a bug.
        FunctionCounter.builder("helmoci.cloud.credential.exchanges", credentials, CloudCredentials::exchangeCount)
                .description("Cloud workload identity exchanges for registry credentials (successful or not)")
                .register(meters);
        return new WorkloadIdentity(
                credentials,
                new ClientServiceAccountTokens(client, identity.tokenExpiration()),
                new WorkloadIdentity.Settings(
                        identity.allowOperatorIdentity(),
                        identity.azure().tenantId().orElse(null),
                        identity.gcp().audience().orElse(null),
                        environment),
                ProxyRules.fromEnvironment(environment));
    }
}
