package io.helmoci.operator;

import static io.helmoci.operator.HelmOciChartAssert.readyMessage;
import static io.helmoci.operator.HelmOciChartAssert.readyReason;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.helmoci.operator.api.v1alpha1.HelmOciChart;
import io.helmoci.operator.identity.ClientServiceAccountTokens;
import io.helmoci.testbed.ChartFactory;
import io.helmoci.testbed.HelmCli;
import io.helmoci.testbed.HttpProxy;
import io.helmoci.testbed.KubeApiServerFixture;
import io.helmoci.testbed.OperatorProcess;
import io.helmoci.testbed.ProcessRunner;
import io.helmoci.testbed.RegistryExtension;
import io.helmoci.testbed.RegistryFixture;
import io.helmoci.testbed.RegistryImplementation;
import io.helmoci.testbed.cloud.AwsTestbed;
import io.helmoci.testbed.cloud.AzureTestbed;
import io.helmoci.testbed.cloud.CloudRegistryFront;
import io.helmoci.testbed.cloud.GoogleTestbed;
import io.helmoci.testbed.cloud.PodIdentityAgent;
import io.helmoci.testbed.cloud.ServiceAccountTokenVerifier;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * spec.provider aws, azure and gcp with per-resource ServiceAccounts, end to end: the operator (with
 * the RBAC of deploy/manifests) requests ServiceAccount tokens from the real API server, exchanges
 * them at moto (AWS) or the test bed's Entra ID / ACR and Google STS endpoints, and pulls from
 * registries that accept only the exchanged credentials. See the README's "Cloud workload identity"
 * for what these stand-ins leave unproven.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CloudIdentityIT {
    static final String GCP_AUDIENCE =
            "//iam.googleapis.com/projects/123456789/locations/global/workloadIdentityPools/helmoci/providers/testbed";
    static final String ACCOUNT_A = "111111111111";
    static final String ACCOUNT_B = "222222222222";
    static final String TENANT = "7f3c1a2e-0000-4000-8000-00000000beef";
    static final String PROXY_USER = "cloud-proxy-user";
    static final String PROXY_PASSWORD = "cloud-proxy-pass-5e1b";
    static final String WRONG_PROXY_PASSWORD = "wrong-cloud-proxy-pass-77c2";
    static final String ENV_PROXY_USER = "env-proxy-user";
    static final String ENV_PROXY_PASSWORD = "env-proxy-pass-0d4a";

    @RegisterExtension
    static RegistryExtension backend =
            RegistryFixture.builder(RegistryImplementation.DISTRIBUTION_V3).extension();

    @TempDir
    static Path work;

    static KubeApiServerFixture kube;
    static ServiceAccountTokenVerifier verifier;
    static AwsTestbed aws;
    static CloudRegistryFront ecr;
    static AzureTestbed azure;
    static GoogleTestbed google;
    static CloudRegistryFront artifactRegistry;
    static OperatorProcess operator;
    static HttpProxy proxy;
    static HttpProxy environmentProxy;
    static HelmOciChartAssert charts;

    @BeforeAll
    static void start() {
        kube = KubeApiServerFixture.shared();
        kube.applyProjectCrds();
        kube.kubectl("apply", "-f", "deploy/manifests").orThrow();
        HelmCli helm = new HelmCli(work.resolve("helm"));
        ChartFactory factory = new ChartFactory(helm, work.resolve("charts"));
        for (String prefix : List.of("aws/team-a", "aws/team-b", "azure/team", "gcp/team", "gcp/refresh", "gcp/cli")) {
            helm.push(backend, factory.create("app", "1.0.0"), prefix);
        }
        verifier = ServiceAccountTokenVerifier.of(kube);
        aws = AwsTestbed.start(verifier, work.resolve("aws"));
        ecr = new CloudRegistryFront(
                backend,
                (authorization, repository) ->
                        (repository.startsWith("aws/team-a/") && basic(authorization, "AWS", ACCOUNT_A + "-auth-token"))
                                || (repository.startsWith("aws/team-b/")
                                        && basic(authorization, "AWS", ACCOUNT_B + "-auth-token")),
                front -> "Basic realm=\"" + front.url() + "/\",service=\"ecr.amazonaws.com\"",
                Map.of());
        azure = new AzureTestbed(verifier, backend);
        google = new GoogleTestbed(verifier, GCP_AUDIENCE);
        artifactRegistry = new CloudRegistryFront(
                backend, google::accepts, front -> "Basic realm=\"" + front.url() + "/v2/token\"", Map.of());

        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("kubernetes.impersonate.username", DeployManifestsIT.OPERATOR_ACCOUNT);
        settings.put(
                "kubernetes.impersonate.group",
                "system:serviceaccounts,system:serviceaccounts:" + DeployManifestsIT.OPERATOR_NAMESPACE
                        + ",system:authenticated");
        settings.put("helmoci.leader-election.lease-namespace", DeployManifestsIT.OPERATOR_NAMESPACE);
        settings.put("helmoci.leader-election.lease-name", "cloud-identity-it");
        settings.put("quarkus.operator-sdk.controllers.helm-oci-operator.retry.interval.initial", "500");
        settings.put("quarkus.operator-sdk.controllers.helm-oci-operator.retry.interval.max", "1000");
        settings.put("helmoci.identity.allow-operator-identity", "false");
        settings.put(
                "helmoci.identity.registry-hosts",
                String.join(",", ecr.hostPort(), azure.registry().hostPort(), artifactRegistry.hostPort()));
        settings.put("helmoci.identity.aws.sts-endpoint", aws.stsEndpoint().toString());
        settings.put("helmoci.identity.aws.ecr-endpoint", aws.ecrEndpoint().toString());
        settings.put("helmoci.identity.aws.region", "us-east-1");
        settings.put("aws.disableEc2Metadata", "true");
        settings.put("helmoci.identity.azure.authority-host", azure.authorityHost());
        settings.put("helmoci.identity.azure.tenant-id", TENANT);
        settings.put("helmoci.identity.gcp.sts-url", google.stsUrl());
        settings.put("helmoci.identity.gcp.audience", GCP_AUDIENCE);
        settings.put("helmoci.identity.gcp.metadata-host", google.metadataHost());
        // The operator's own proxy variables, as a corporate deployment sets them: every exchange of a resource
        // without spec.proxySecretRef goes through this proxy, except Google STS, listed in NO_PROXY.
        environmentProxy = HttpProxy.start(work.resolve("environment-proxy"), ENV_PROXY_USER, ENV_PROXY_PASSWORD);
        operator = OperatorProcess.start(
                kube.kubeconfig(),
                work.resolve("operator"),
                settings,
                List.of(),
                Map.of(
                        "http_proxy",
                        environmentProxy.urlWithCredentials(),
                        "NO_PROXY",
                        URI.create(google.stsUrl()).getAuthority()));
        charts = new HelmOciChartAssert(kube, operator);
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable closeable :
                new AutoCloseable[] {operator, proxy, environmentProxy, artifactRegistry, google, azure, ecr, aws}) {
            try {
                if (closeable != null) {
                    closeable.close();
                }
            } catch (Exception ignored) {
                // best effort
            }
        }
    }

    @Test
    @Order(1)
    void awsServiceAccountsOfTwoNamespacesAssumeTheirOwnRoles() {
        String teamA = kube.createNamespace("aws-a");
        String teamB = kube.createNamespace("aws-b");
        serviceAccount(teamA, "puller", Map.of("eks.amazonaws.com/role-arn", role(ACCOUNT_A, "charts")));
        serviceAccount(teamB, "puller", Map.of("eks.amazonaws.com/role-arn", role(ACCOUNT_B, "charts")));
        aws.trust(role(ACCOUNT_A, "charts"), teamA, "puller").trust(role(ACCOUNT_B, "charts"), teamB, "puller");

        apply(teamA, "mine", ecr.ociUrl("aws/team-a/app"), "aws", "puller");
        apply(teamB, "mine", ecr.ociUrl("aws/team-b/app"), "aws", "puller");
        apply(teamB, "theirs", ecr.ociUrl("aws/team-a/app"), "aws", "puller");

        charts.awaitReady(teamA, "mine");
        charts.awaitReady(teamB, "mine");
        HelmOciChart theirs = charts.await(teamB, "theirs", notReady(), "Ready=False");
        assertThat(readyReason(theirs)).isEqualTo("Unauthorized");
        assertThat(aws.assumptions())
                .filteredOn(a -> a.status() == 200)
                .extracting(AwsTestbed.Assumption::subject)
                .contains("system:serviceaccount:" + teamA + ":puller", "system:serviceaccount:" + teamB + ":puller");
    }

    @Test
    @Order(2)
    void awsFailuresNameTheFix() {
        String namespace = kube.createNamespace("aws-fail");
        serviceAccount(namespace, "plain", Map.of());
        serviceAccount(namespace, "untrusted", Map.of("eks.amazonaws.com/role-arn", role(ACCOUNT_A, "other")));
        serviceAccount(
                namespace,
                "wrong-audience",
                Map.of(
                        "eks.amazonaws.com/role-arn",
                        role(ACCOUNT_A, "charts"),
                        "eks.amazonaws.com/audience",
                        "some-other-audience"));
        apply(namespace, "no-annotation", ecr.ociUrl("aws/team-a/app"), "aws", "plain");
        apply(namespace, "no-trust", ecr.ociUrl("aws/team-a/app"), "aws", "untrusted");
        apply(namespace, "audience", ecr.ociUrl("aws/team-a/app"), "aws", "wrong-audience");
        apply(namespace, "no-account", ecr.ociUrl("aws/team-a/app"), "aws", "missing");

        HelmOciChart noAnnotation = charts.await(namespace, "no-annotation", notReady(), "Ready=False");
        assertThat(readyReason(noAnnotation)).isEqualTo("CloudIdentityNotConfigured");
        assertThat(readyMessage(noAnnotation)).contains("eks.amazonaws.com/role-arn");
        HelmOciChart noTrust = charts.await(namespace, "no-trust", notReady(), "Ready=False");
        assertThat(readyReason(noTrust)).isEqualTo("CloudAccessDenied");
        assertThat(readyMessage(noTrust)).contains("trust policy");
        HelmOciChart audience = charts.await(namespace, "audience", notReady(), "Ready=False");
        assertThat(readyReason(audience)).isEqualTo("CloudIdentityRejected");
        assertThat(readyMessage(audience)).contains("InvalidIdentityToken", "audience");
        HelmOciChart noAccount = charts.await(namespace, "no-account", notReady(), "Ready=False");
        assertThat(readyReason(noAccount)).isEqualTo(ConditionReasons.SERVICE_ACCOUNT_NOT_FOUND);

        // the fix the message names: annotating the ServiceAccount makes the resource Ready by itself
        aws.trust(role(ACCOUNT_A, "late"), namespace, "plain");
        kube.client().serviceAccounts().inNamespace(namespace).withName("plain").edit(account -> {
            account.getMetadata().setAnnotations(Map.of("eks.amazonaws.com/role-arn", role(ACCOUNT_A, "late")));
            return account;
        });
        charts.awaitReady(namespace, "no-annotation");
    }

    @Test
    @Order(3)
    void azureWorkloadIdentityIsExchangedAtTheRegistry() {
        String namespace = kube.createNamespace("azure");
        serviceAccount(namespace, "puller", Map.of("azure.workload.identity/client-id", "client-puller"));
        serviceAccount(namespace, "unfederated", Map.of("azure.workload.identity/client-id", "client-unfederated"));
        serviceAccount(namespace, "no-pull", Map.of("azure.workload.identity/client-id", "client-no-pull"));
        azure.federate("client-puller", namespace, "puller")
                .acrPull("client-puller")
                .federate("client-unfederated", namespace, "someone-else")
                .acrPull("client-unfederated")
                .federate("client-no-pull", namespace, "no-pull");
        String url = azure.registry().ociUrl("azure/team/app");
        apply(namespace, "app", url, "azure", "puller");
        apply(namespace, "unfederated", url, "azure", "unfederated");
        apply(namespace, "no-pull", url, "azure", "no-pull");

        charts.awaitReady(namespace, "app");
        HelmOciChart unfederated = charts.await(namespace, "unfederated", notReady(), "Ready=False");
        assertThat(readyReason(unfederated)).isEqualTo("CloudAccessDenied");
        assertThat(readyMessage(unfederated)).contains("AADSTS70021", "federated credential");
        HelmOciChart noPull = charts.await(namespace, "no-pull", notReady(), "Ready=False");
        assertThat(readyReason(noPull)).isEqualTo("CloudAccessDenied");
        assertThat(readyMessage(noPull)).contains("AcrPull");
    }

    @Test
    @Order(4)
    void anExpiredServiceAccountTokenIsRejectedWithTheReasonThatSaysSo() {
        String namespace = kube.createNamespace("azure-expired");
        serviceAccount(namespace, "puller", Map.of("azure.workload.identity/client-id", "client-late"));
        azure.federate("client-late", namespace, "puller").acrPull("client-late");
        verifier.clockOffset(Duration.ofHours(2)); // Entra's clock is two hours ahead: every token looks expired
        try {
            apply(namespace, "app", azure.registry().ociUrl("azure/team/app"), "azure", "puller", "2s");
            HelmOciChart expired = charts.await(namespace, "app", notReady(), "Ready=False");
            assertThat(readyReason(expired)).isEqualTo("CloudIdentityRejected");
            assertThat(readyMessage(expired)).contains("AADSTS700024");
        } finally {
            verifier.clockOffset(Duration.ZERO);
        }
        charts.awaitReady(namespace, "app"); // retried, and recovers once the token is valid to Entra again
    }

    @Test
    @Order(5)
    void gcpCredentialsAreRenewedBeforeExpiryOncePerLifetimeWithoutAFailedReconcile() {
        Duration lifetime = Duration.ofSeconds(10); // renewed 2 s before expiry: room for a slow reconcile
        google.accessTokenLifetime(lifetime);
        String namespace = kube.createNamespace("gcp");
        serviceAccount(namespace, "puller", Map.of());
        google.grant("gcp/team/", namespace, "puller").grant("gcp/refresh/", namespace, "puller");
        String principal = "principal://system:serviceaccount:" + namespace + ":puller";
        apply(namespace, "app", artifactRegistry.ociUrl("gcp/refresh/app"), "gcp", "puller", "1s");
        charts.awaitReady(namespace, "app");
        int acceptedBefore = artifactRegistry.acceptedCount();

        charts.awaitTrue(
                () -> google.issued().stream()
                                .filter(i -> i.principal().equals(principal))
                                .count()
                        >= 3,
                "two renewals of the access token");

        List<Instant> issuedAt = google.issued().stream()
                .filter(i -> i.principal().equals(principal))
                .map(GoogleTestbed.Issued::at)
                .toList();
        for (int i = 1; i < issuedAt.size(); i++) {
            // renewed at 80% of the lifetime, never per reconcile (every second)
            assertThat(Duration.between(issuedAt.get(i - 1), issuedAt.get(i)))
                    .as("time between exchanges %d and %d", i, i + 1)
                    .isGreaterThanOrEqualTo(
                            lifetime.multipliedBy(8).dividedBy(10).minusMillis(300));
        }
        assertThat(artifactRegistry.acceptedCount() - acceptedBefore)
                .as("registry requests while the tokens were renewed")
                .isGreaterThan(issuedAt.size());
        assertThat(artifactRegistry.refusedAuthorizations())
                .as("no expired or unknown access token was ever sent")
                .isEmpty();
        assertThat(warningEvents(namespace)).as("no failed reconcile").isEmpty();
        assertThat(readyReason(charts.get(namespace, "app"))).isEqualTo(ConditionReasons.SUCCEEDED);
        google.accessTokenLifetime(Duration.ofHours(1));
    }

    @Test
    @Order(6)
    void theOperatorsOwnIdentityIsNeverUsedWhenForbidden() {
        String namespace = kube.createNamespace("gcp-own");
        google.grantMetadataAccount("gcp/team/");
        int metadataBefore = google.metadataRequestCount();
        apply(namespace, "app", artifactRegistry.ociUrl("gcp/team/app"), "gcp", null);

        HelmOciChart forbidden = charts.await(namespace, "app", notReady(), "Ready=False");
        assertThat(readyReason(forbidden)).isEqualTo(ConditionReasons.OPERATOR_IDENTITY_FORBIDDEN);
        assertThat(readyMessage(forbidden)).contains("spec.serviceAccountName");
        assertThat(google.metadataRequestCount()).isEqualTo(metadataBefore);
        assertThat(readyReason(charts.get(namespace, "app"))).isEqualTo(ConditionReasons.OPERATOR_IDENTITY_FORBIDDEN);
    }

    @Test
    @Order(7)
    void theHelmOciCommandUsesTheMachinesIdentity() throws Exception {
        google.grantMetadataAccount("gcp/cli/");
        ProcessRunner.Result gcp =
                helmOci(Map.of("GCE_METADATA_HOST", google.metadataHost()), "gcp", artifactRegistry, "gcp/cli/app");
        assertThat(gcp.exitCode()).as(gcp.stderr()).isZero();

        String namespace = kube.createNamespace("cli");
        serviceAccount(namespace, "machine", Map.of());
        aws.trust(role(ACCOUNT_A, "cli"), namespace, "machine");
        Path awsToken = Files.writeString(work.resolve("aws-token"), token(namespace, "machine", AwsTestbed.AUDIENCE));
        ProcessRunner.Result ecrPull = helmOci(
                Map.of(
                        "AWS_ROLE_ARN", role(ACCOUNT_A, "cli"),
                        "AWS_WEB_IDENTITY_TOKEN_FILE", awsToken.toString(),
                        "AWS_ENDPOINT_URL_STS", aws.stsEndpoint().toString(),
                        "AWS_ENDPOINT_URL_ECR", aws.ecrEndpoint().toString(),
                        "AWS_REGION", "us-east-1",
                        "AWS_EC2_METADATA_DISABLED", "true"),
                "aws",
                ecr,
                "aws/team-a/app");
        assertThat(ecrPull.exitCode()).as(ecrPull.stderr()).isZero();

        azure.federate("client-cli", namespace, "machine").acrPull("client-cli");
        Path azureToken =
                Files.writeString(work.resolve("azure-token"), token(namespace, "machine", AzureTestbed.AUDIENCE));
        ProcessRunner.Result acrPull = helmOci(
                Map.of(
                        "AZURE_AUTHORITY_HOST",
                        azure.authorityHost(),
                        "AZURE_CLIENT_ID",
                        "client-cli",
                        "AZURE_TENANT_ID",
                        TENANT,
                        "AZURE_FEDERATED_TOKEN_FILE",
                        azureToken.toString()),
                "azure",
                azure.registry(),
                "azure/team/app");
        assertThat(acrPull.exitCode()).as(acrPull.stderr()).isZero();

        google.grant("gcp/cli/", namespace, "machine");
        Path googleToken = Files.writeString(work.resolve("google-token"), token(namespace, "machine", GCP_AUDIENCE));
        Path credentialConfig = Files.writeString(
                work.resolve("external-account.json"), """
                {"type": "external_account", "audience": "%s",
                 "subject_token_type": "urn:ietf:params:oauth:token-type:jwt", "token_url": "%s",
                 "credential_source": {"file": "%s"}}
                """.formatted(GCP_AUDIENCE, google.stsUrl(), googleToken));
        int metadataBefore = google.metadataRequestCount();
        ProcessRunner.Result federated = helmOci(
                Map.of("GOOGLE_APPLICATION_CREDENTIALS", credentialConfig.toString()),
                "gcp",
                artifactRegistry,
                "gcp/cli/app");
        assertThat(federated.exitCode()).as(federated.stderr()).isZero();
        assertThat(google.metadataRequestCount()).isEqualTo(metadataBefore);
        assertThat(google.issued())
                .anyMatch(i -> i.principal().equals("principal://system:serviceaccount:" + namespace + ":machine"));

        ProcessRunner.Result unconfigured = helmOci(Map.of(), "azure", azure.registry(), "azure/team/app");
        assertThat(unconfigured.exitCode()).isNotZero();
        assertThat(unconfigured.stderr()).contains("CloudIdentityNotConfigured", "AZURE_CLIENT_ID");
    }

    @Test
    @Order(8)
    void aTokenRequestTheApiServerRefusesNamesThePermission() {
        String namespace = kube.createNamespace("token-denied");
        serviceAccount(namespace, "puller", Map.of());
        try (var unprivileged = kube.clientAs(namespace, "nobody")) {
            ReconcileException failure = org.assertj.core.api.Assertions.catchThrowableOfType(
                    ReconcileException.class,
                    () -> new ClientServiceAccountTokens(unprivileged, Duration.ofMinutes(10))
                            .request(namespace, "puller", AwsTestbed.AUDIENCE));

            assertThat(failure.reason()).isEqualTo(ConditionReasons.IDENTITY_TOKEN_DENIED);
            assertThat(failure.getMessage()).contains("serviceaccounts/token");
        }
        // the operator's ServiceAccount, with the ClusterRole of deploy/manifests, may
        try (var operatorAccount = kube.clientAs(DeployManifestsIT.OPERATOR_NAMESPACE, "helm-oci-operator")) {
            assertThat(new ClientServiceAccountTokens(operatorAccount, Duration.ofMinutes(10))
                            .request(namespace, "puller", AwsTestbed.AUDIENCE))
                    .isNotBlank();
        }
    }

    @Test
    @Order(9)
    void throughTheResourcesProxyEveryTokenExchangeAndRegistryRequestIsCounted() {
        proxy = HttpProxy.start(work.resolve("proxy"), PROXY_USER, PROXY_PASSWORD);
        String namespace = kube.createNamespace("proxied");
        serviceAccount(
                namespace,
                "puller",
                Map.of(
                        "eks.amazonaws.com/role-arn",
                        role(ACCOUNT_A, "proxied"),
                        "azure.workload.identity/client-id",
                        "client-proxied"));
        aws.trust(role(ACCOUNT_A, "proxied"), namespace, "puller");
        azure.federate("client-proxied", namespace, "puller").acrPull("client-proxied");
        google.grant("gcp/team/", namespace, "puller");
        kube.apply(namespace, proxySecret("proxy", PROXY_PASSWORD));
        applyThroughProxy(namespace, "aws", ecr.ociUrl("aws/team-a/app"), "aws", "puller", "proxy");
        applyThroughProxy(namespace, "azure", azure.registry().ociUrl("azure/team/app"), "azure", "puller", "proxy");
        applyThroughProxy(namespace, "gcp", artifactRegistry.ociUrl("gcp/team/app"), "gcp", "puller", "proxy");

        for (String name : List.of("aws", "azure", "gcp")) {
            try {
                charts.awaitReady(namespace, name);
            } catch (AssertionError e) {
                throw proxy.withLogAttached(e);
            }
        }

        String sts = aws.stsEndpoint().getAuthority();
        String moto = aws.ecrEndpoint().getAuthority();
        String entra = URI.create(azure.authorityHost()).getAuthority();
        String googleSts = URI.create(google.stsUrl()).getAuthority();
        assertThat(proxy.requestsTo(sts)).as("STS AssumeRoleWithWebIdentity").isNotEmpty();
        assertThat(proxy.requestsTo(moto))
                .as("ECR GetAuthorizationToken at moto")
                .isNotEmpty();
        assertThat(proxy.requestsTo(entra)).as("Entra ID token endpoint").isNotEmpty();
        assertThat(proxy.requestsTo(azure.registry().hostPort()))
                .as("ACR /oauth2/exchange")
                .anyMatch(r -> r.target().endsWith("/oauth2/exchange"));
        assertThat(proxy.requestsTo(googleSts)).as("Google STS").isNotEmpty();
        for (CloudRegistryFront registry : List.of(ecr, azure.registry(), artifactRegistry)) {
            assertThat(proxy.requestsTo(registry.hostPort()))
                    .as("registry requests to %s", registry.hostPort())
                    .anyMatch(r -> r.target().contains("/v2/"));
        }
        assertThat(aws.assumptions())
                .as("the STS gate saw the proxied assumption")
                .anyMatch(a ->
                        ("system:serviceaccount:" + namespace + ":puller").equals(a.subject()) && a.status() == 200);
    }

    @Test
    @Order(10)
    void aWrongProxyPasswordStopsTheExchangeWithTheProxysReason() {
        String namespace = kube.createNamespace("proxy-wrong");
        serviceAccount(namespace, "puller", Map.of("eks.amazonaws.com/role-arn", role(ACCOUNT_A, "wrong-proxy")));
        aws.trust(role(ACCOUNT_A, "wrong-proxy"), namespace, "puller");
        kube.apply(namespace, proxySecret("proxy", WRONG_PROXY_PASSWORD));
        applyThroughProxy(namespace, "app", ecr.ociUrl("aws/team-a/app"), "aws", "puller", "proxy");

        HelmOciChart failed = charts.await(namespace, "app", notReady(), "Ready=False");

        assertThat(readyReason(failed)).as(proxy.logs()).isEqualTo("ProxyAuthenticationFailed");
        assertThat(readyMessage(failed)).contains(proxy.hostPort(), "spec.proxySecretRef", "password");
        assertThat(aws.assumptions())
                .as("nothing reached STS without the proxy's consent")
                .noneMatch(a -> ("system:serviceaccount:" + namespace + ":puller").equals(a.subject()));
    }

    @Test
    @Order(11)
    void theHelmOciCommandFollowsHttpProxyAndNoProxyForTheTokenEndpoints() throws Exception {
        String namespace = kube.createNamespace("cli-proxy");
        serviceAccount(namespace, "machine", Map.of());
        google.grant("gcp/cli/", namespace, "machine");
        Path googleToken =
                Files.writeString(work.resolve("proxy-google-token"), token(namespace, "machine", GCP_AUDIENCE));
        Path credentialConfig = Files.writeString(
                work.resolve("proxy-external-account.json"), """
                {"type": "external_account", "audience": "%s",
                 "subject_token_type": "urn:ietf:params:oauth:token-type:jwt", "token_url": "%s",
                 "credential_source": {"file": "%s"}}
                """.formatted(GCP_AUDIENCE, google.stsUrl(), googleToken));
        String googleSts = URI.create(google.stsUrl()).getAuthority();
        String principal = "principal://system:serviceaccount:" + namespace + ":machine";

        int mark = proxy.requests().size();
        ProcessRunner.Result direct = helmOci(
                Map.of(
                        "GOOGLE_APPLICATION_CREDENTIALS", credentialConfig.toString(),
                        "HTTP_PROXY", proxy.urlWithCredentials(),
                        "NO_PROXY", googleSts),
                "gcp",
                artifactRegistry,
                "gcp/cli/app");
        assertThat(direct.exitCode()).as(direct.stderr()).isZero();
        List<HttpProxy.ProxiedRequest> sinceMark =
                proxy.requests().subList(mark, proxy.requests().size());
        assertThat(sinceMark).as("the NO_PROXY host was reached directly").noneMatch(r -> r.to(googleSts));
        assertThat(sinceMark)
                .as("the registry went through HTTP_PROXY")
                .anyMatch(r -> r.to(artifactRegistry.hostPort()));
        assertThat(google.issued()).anyMatch(i -> i.principal().equals(principal));

        mark = proxy.requests().size();
        ProcessRunner.Result proxied = helmOci(
                Map.of(
                        "GOOGLE_APPLICATION_CREDENTIALS", credentialConfig.toString(),
                        "HTTP_PROXY", proxy.urlWithCredentials()),
                "gcp",
                artifactRegistry,
                "gcp/cli/app");
        assertThat(proxied.exitCode()).as(proxied.stderr()).isZero();
        sinceMark = proxy.requests().subList(mark, proxy.requests().size());
        assertThat(sinceMark).as("Google STS through HTTP_PROXY").anyMatch(r -> r.to(googleSts));
    }

    @Test
    @Order(12)
    void theHelmOciCommandUsesEksPodIdentity() throws Exception {
        String namespace = kube.createNamespace("pod-identity");
        serviceAccount(namespace, "operator", Map.of());
        serviceAccount(namespace, "unassociated", Map.of());
        try (PodIdentityAgent agent = new PodIdentityAgent(verifier, aws)) {
            agent.associate(namespace, "operator", role(ACCOUNT_B, "pod-identity"));
            Path tokenFile = Files.writeString(
                    work.resolve("pod-identity-token"), token(namespace, "operator", PodIdentityAgent.AUDIENCE));
            Map<String, String> env = Map.of(
                    "AWS_CONTAINER_CREDENTIALS_FULL_URI", agent.credentialsUri(),
                    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", tokenFile.toString(),
                    "AWS_ENDPOINT_URL_ECR", aws.ecrEndpoint().toString(),
                    "AWS_REGION", "us-east-1",
                    "AWS_EC2_METADATA_DISABLED", "true");
            int assumptionsBefore = aws.assumptions().size();

            ProcessRunner.Result pull = helmOci(env, "aws", ecr, "aws/team-b/app");

            assertThat(pull.exitCode()).as(pull.stderr()).isZero();
            assertThat(agent.served()).containsExactly("system:serviceaccount:" + namespace + ":operator");
            assertThat(aws.assumptions()).as("no web identity exchange").hasSize(assumptionsBefore);

            Files.writeString(tokenFile, token(namespace, "unassociated", PodIdentityAgent.AUDIENCE));
            ProcessRunner.Result refused = helmOci(env, "aws", ecr, "aws/team-b/app");
            assertThat(refused.exitCode()).isNotZero();
            assertThat(refused.stderr()).contains("CloudIdentityUnavailable", "Pod Identity");
            assertThat(agent.served()).hasSize(1);
        }
    }

    /**
     * Resources without spec.proxySecretRef (the tests above): the operator's http_proxy carried their STS, ECR,
     * Entra ID, ACR exchange and registry requests; Google STS, in NO_PROXY, was reached directly.
     */
    @Test
    @Order(13)
    void theOperatorsProxyVariablesCarryTheExchangesExceptNoProxyHosts() {
        String sts = aws.stsEndpoint().getAuthority();
        String moto = aws.ecrEndpoint().getAuthority();
        String entra = URI.create(azure.authorityHost()).getAuthority();
        String googleSts = URI.create(google.stsUrl()).getAuthority();
        try {
            assertThat(environmentProxy.requestsTo(sts))
                    .as("STS AssumeRoleWithWebIdentity")
                    .isNotEmpty();
            assertThat(environmentProxy.requestsTo(moto))
                    .as("ECR GetAuthorizationToken")
                    .isNotEmpty();
            assertThat(environmentProxy.requestsTo(entra))
                    .as("Entra ID token endpoint")
                    .isNotEmpty();
            assertThat(environmentProxy.requestsTo(azure.registry().hostPort()))
                    .as("ACR /oauth2/exchange")
                    .anyMatch(r -> r.target().endsWith("/oauth2/exchange"));
            for (CloudRegistryFront registry : List.of(ecr, azure.registry(), artifactRegistry)) {
                assertThat(environmentProxy.requestsTo(registry.hostPort()))
                        .as("registry requests to %s", registry.hostPort())
                        .anyMatch(r -> r.target().contains("/v2/"));
            }
            assertThat(google.issued())
                    .as("the operator exchanged at Google STS")
                    .anyMatch(i -> i.principal().startsWith("principal://system:serviceaccount:gcp"));
            assertThat(environmentProxy.requestsTo(googleSts))
                    .as("Google STS is in NO_PROXY")
                    .isEmpty();
        } catch (AssertionError e) {
            throw environmentProxy.withLogAttached(e);
        }
    }

    @Test
    @Order(100)
    void noTokenOrCredentialAppearsInStatusEventsOrLogs() {
        List<String> secrets = new ArrayList<>();
        secrets.addAll(aws.tokensSeen());
        secrets.add(ACCOUNT_A + "-auth-token");
        secrets.add(ACCOUNT_B + "-auth-token");
        secrets.addAll(azure.secrets());
        secrets.addAll(google.subjectTokensSeen());
        google.issued().forEach(i -> secrets.add(i.token()));
        secrets.add(PROXY_PASSWORD);
        secrets.add(WRONG_PROXY_PASSWORD);
        secrets.add(ENV_PROXY_PASSWORD);
        secrets.removeIf(String::isBlank);
        assertThat(secrets).as("the test saw tokens to look for").hasSizeGreaterThan(10);

        String statuses =
                kube.kubectl("get", "helmocicharts", "-A", "-o", "yaml").stdout();
        String events = kube.kubectl("get", "events", "-A", "-o", "yaml").stdout();
        String logs = operator.logs();
        String metrics = new String(operator.get("/q/metrics").body(), StandardCharsets.UTF_8);
        assertThat(statuses).contains("CloudAccessDenied"); // the texts are the real ones
        assertThat(metrics).containsPattern("(?m)^helmoci_cloud_credential_exchanges_total [1-9]");
        for (String secret : secrets) {
            String shown = secret.substring(0, Math.min(12, secret.length())) + "...";
            assertThat(statuses).as("status contains %s", shown).doesNotContain(secret);
            assertThat(events).as("events contain %s", shown).doesNotContain(secret);
            assertThat(logs).as("operator log contains %s", shown).doesNotContain(secret);
            assertThat(metrics).as("metrics contain %s", shown).doesNotContain(secret);
        }
    }

    // ----- helpers

    private static ProcessRunner.Result helmOci(
            Map<String, String> env, String provider, CloudRegistryFront registry, String repository) throws Exception {
        Path dest = Files.createTempDirectory(work, "pull-");
        return ProcessRunner.run(
                List.of(
                        "bin/helm-oci",
                        "pull",
                        registry.ociUrl(repository),
                        "--version",
                        "1.0.0",
                        "--plain-http",
                        "--provider",
                        provider,
                        "--cloud-registry-host",
                        registry.hostPort(),
                        "-d",
                        dest.toString(),
                        "--cache-dir",
                        work.resolve("cli-cache").toString()),
                env,
                null,
                null,
                Duration.ofSeconds(120));
    }

    private static String proxySecret(String name, String password) {
        return """
                apiVersion: v1
                kind: Secret
                metadata:
                  name: %s
                stringData:
                  address: %s
                  username: %s
                  password: %s
                """.formatted(name, proxy.url(), PROXY_USER, password);
    }

    private static void applyThroughProxy(
            String namespace, String name, String url, String provider, String serviceAccount, String proxySecret) {
        kube.apply(namespace, """
                apiVersion: helmoci.io/v1alpha1
                kind: HelmOciChart
                metadata:
                  name: %s
                spec:
                  url: %s
                  version: 1.0.0
                  insecure: true
                  interval: 10m
                  provider: %s
                  serviceAccountName: %s
                  proxySecretRef:
                    name: %s
                """.formatted(name, url, provider, serviceAccount, proxySecret));
    }

    private static String token(String namespace, String name, String audience) {
        return kube.client()
                .serviceAccounts()
                .inNamespace(namespace)
                .withName(name)
                .tokenRequest(new TokenRequestBuilder()
                        .withNewSpec()
                        .withAudiences(audience)
                        .withExpirationSeconds(600L)
                        .endSpec()
                        .build())
                .getStatus()
                .getToken();
    }

    private static List<String> warningEvents(String namespace) {
        return kube.client().v1().events().inNamespace(namespace).list().getItems().stream()
                .filter(e -> "Warning".equals(e.getType()))
                .map(e -> e.getReason() + ": " + e.getMessage())
                .toList();
    }

    private static boolean basic(String authorization, String user, String password) {
        return ("Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)))
                .equals(authorization);
    }

    private static String role(String account, String name) {
        return "arn:aws:iam::" + account + ":role/" + name;
    }

    private static Predicate<HelmOciChart> notReady() {
        return chart -> HelmOciChartAssert.condition(chart, Constants.CONDITION_READY)
                .map(c -> "False".equals(c.getStatus()))
                .orElse(false);
    }

    private static void serviceAccount(String namespace, String name, Map<String, String> annotations) {
        kube.client()
                .serviceAccounts()
                .inNamespace(namespace)
                .resource(new ServiceAccountBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .withAnnotations(annotations)
                        .endMetadata()
                        .build())
                .create();
    }

    private static void apply(String namespace, String name, String url, String provider, String serviceAccount) {
        apply(namespace, name, url, provider, serviceAccount, "10m");
    }

    private static void apply(
            String namespace, String name, String url, String provider, String serviceAccount, String interval) {
        kube.apply(namespace, """
                apiVersion: helmoci.io/v1alpha1
                kind: HelmOciChart
                metadata:
                  name: %s
                spec:
                  url: %s
                  version: 1.0.0
                  insecure: true
                  interval: %s
                  provider: %s
                %s""".formatted(
                        name,
                        url,
                        interval,
                        provider,
                        serviceAccount == null ? "" : "  serviceAccountName: " + serviceAccount + "\n"));
    }
}
