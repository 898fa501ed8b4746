package io.helmoci.operator.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.helmoci.engine.cloud.CloudCredentials;
import io.helmoci.engine.cloud.CloudSettings;
import io.helmoci.operator.ConditionReasons;
import io.helmoci.operator.ReconcileException;
import io.helmoci.operator.api.v1alpha1.HelmOciChart;
import io.helmoci.operator.api.v1alpha1.HelmOciChartSpec;
import io.helmoci.operator.credentials.InMemoryObjectLookup;
import io.helmoci.operator.source.ChartRequest;
import io.helmoci.operator.source.RegistryAccess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which identity a HelmOciChart gets, and the reasons that name the fix, before any cloud is asked. */
class WorkloadIdentityTest {
    private final List<String> tokenRequests = new ArrayList<>();
    private final InMemoryObjectLookup lookup = new InMemoryObjectLookup();

    private WorkloadIdentity identity(boolean allowOperatorIdentity, String tenant, String gcpAudience) {
        return new WorkloadIdentity(
                new CloudCredentials(CloudSettings.defaults().withExtraRegistryHosts(Set.of())),
                (namespace, name, audience) -> {
                    tokenRequests.add(namespace + "/" + name + "@" + audience);
                    throw new ReconcileException(
                            ConditionReasons.IDENTITY_TOKEN_DENIED,
                            "test: no token",
                            ReconcileException.Disposition.WAIT);
                },
                new WorkloadIdentity.Settings(allowOperatorIdentity, tenant, gcpAudience, Map.of()));
    }

    @Test
    void genericLeavesTheRequestAsItIs() {
        ChartRequest request = request();
        assertThat(identity(false, null, null).apply(chart("generic", null), lookup, request))
                .isSameAs(request);
        assertThat(tokenRequests).isEmpty();
    }

    @Test
    void aServiceAccountWithoutTheCloudsAnnotationIsNotConfigured() {
        account("puller", Map.of());

        ReconcileException aws = failure(identity(true, "tenant", "aud"), chart("aws", "puller"));
        ReconcileException azure = failure(identity(true, "tenant", "aud"), chart("azure", "puller"));

        assertThat(aws.reason()).isEqualTo("CloudIdentityNotConfigured");
        assertThat(aws.getMessage()).contains("eks.amazonaws.com/role-arn", "system:serviceaccount:apps:puller");
        assertThat(azure.reason()).isEqualTo("CloudIdentityNotConfigured");
        assertThat(azure.getMessage()).contains("azure.workload.identity/client-id");
        assertThat(tokenRequests).isEmpty();
    }

    @Test
    void azureNeedsATenantAndGcpAnAudience() {
        account("puller", Map.of("azure.workload.identity/client-id", "client"));

        assertThat(failure(identity(true, null, null), chart("azure", "puller")).getMessage())
                .contains("azure.workload.identity/tenant-id", "helmoci.identity.azure.tenant-id");
        assertThat(failure(identity(true, null, null), chart("gcp", "puller")).getMessage())
                .contains("helmoci.identity.gcp.audience");
    }

    @Test
    void theTokenIsRequestedForTheServiceAccountWithTheCloudsAudience() {
        account("puller", Map.of("eks.amazonaws.com/role-arn", "arn:aws:iam::111111111111:role/r"));
        account("azure", Map.of("azure.workload.identity/client-id", "client"));
        account("google", Map.of());
        WorkloadIdentity identity = identity(true, "tenant", "//iam.googleapis.com/pool");

        failure(identity, chart("aws", "puller"));
        failure(identity, chart("azure", "azure"));
        failure(identity, chart("gcp", "google"));

        assertThat(tokenRequests)
                .containsExactly(
                        "apps/puller@sts.amazonaws.com",
                        "apps/azure@api://AzureADTokenExchange",
                        "apps/google@//iam.googleapis.com/pool");
    }

    @Test
    void withoutAServiceAccountTheOperatorsIdentityIsUsedOnlyIfAllowed() {
        ReconcileException forbidden = failure(identity(false, null, null), chart("aws", null));
        ReconcileException allowed = failure(identity(true, null, null), chart("aws", null));

        assertThat(forbidden.reason()).isEqualTo(ConditionReasons.OPERATOR_IDENTITY_FORBIDDEN);
        assertThat(allowed.reason()).isEqualTo("CloudIdentityNotConfigured"); // no AWS_ROLE_ARN here
        assertThat(allowed.getMessage()).contains("AWS_ROLE_ARN");
    }

    private ReconcileException failure(WorkloadIdentity identity, HelmOciChart chart) {
        return catchThrowableOfType(
                ReconcileException.class,
                () -> identity.apply(chart, lookup, request(chart.getSpec().getUrl())));
    }

    private void account(String name, Map<String, String> annotations) {
        lookup.put(new ServiceAccountBuilder()
                .withMetadata(new ObjectMetaBuilder()
                        .withNamespace("apps")
                        .withName(name)
                        .withAnnotations(annotations)
                        .build())
                .build());
    }

    private static ChartRequest request() {
        return request(url("aws"));
    }

    /** A registry of the provider's own domain: cloud credentials go nowhere else. */
    private static String url(String provider) {
        return switch (provider) {
            case "azure" -> "oci://example.azurecr.io/charts/app";
            case "gcp" -> "oci://europe-docker.pkg.dev/project/charts/app";
            default -> "oci://111111111111.dkr.ecr.eu-west-1.amazonaws.com/charts/app";
        };
    }

    private static ChartRequest request(String url) {
        return new ChartRequest(url, "1.0.0", null, RegistryAccess.anonymous(false), Duration.ofSeconds(30));
    }

    private static HelmOciChart chart(String provider, String serviceAccount) {
        HelmOciChart chart = new HelmOciChart();
        chart.setMetadata(
                new ObjectMetaBuilder().withName("app").withNamespace("apps").build());
        HelmOciChartSpec spec = new HelmOciChartSpec();
        spec.setUrl(url(provider));
        spec.setProvider(provider);
        spec.setServiceAccountName(serviceAccount);
        chart.setSpec(spec);
        return chart;
    }
}
