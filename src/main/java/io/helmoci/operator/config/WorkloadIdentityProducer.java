package io.helmoci.operator.config;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.helmoci.engine.cloud.CloudCredentials;
import io.helmoci.engine.cloud.CloudSettings;
import io.helmoci.operator.identity.ClientServiceAccountTokens;
import io.helmoci.operator.identity.WorkloadIdentity;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import java.util.Map;
import java.util.Set;

/** Cloud workload identity from helmoci.identity.*, over the variables the clouds' SDKs read. */
public class WorkloadIdentityProducer {
    @Produces
    @ApplicationScoped
    WorkloadIdentity workloadIdentity(OperatorConfig config, KubernetesClient client) {
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
        return new WorkloadIdentity(
                new CloudCredentials(settings),
                new ClientServiceAccountTokens(client, identity.tokenExpiration()),
                new WorkloadIdentity.Settings(
                        identity.allowOperatorIdentity(),
                        identity.azure().tenantId().orElse(null),
                        identity.gcp().audience().orElse(null),
                        environment));
    }
}
