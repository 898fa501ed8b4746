package io.helmoci.operator.identity;

import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.helmoci.engine.EngineException;
import io.helmoci.engine.Reason;
import io.helmoci.engine.cloud.CloudCredentials;
import io.helmoci.engine.cloud.CloudIdentity;
import io.helmoci.engine.cloud.CloudProvider;
import io.helmoci.engine.cloud.EnvironmentIdentity;
import io.helmoci.engine.reference.OciReference;
import io.helmoci.engine.registry.Credentials;
import io.helmoci.engine.registry.ProxyRules;
import io.helmoci.operator.ConditionReasons;
import io.helmoci.operator.ReconcileException;
import io.helmoci.operator.ReconcileException.Disposition;
import io.helmoci.operator.api.v1alpha1.HelmOciChart;
import io.helmoci.operator.credentials.ObjectLookup;
import io.helmoci.operator.source.ChartRequest;
import io.helmoci.operator.source.ProxyAccess;
import java.util.Map;
import java.util.Optional;

/**
 * Maps a HelmOciChart with a cloud {@code spec.provider} to a {@link CloudIdentity}: its
 * ServiceAccount's (a token from the TokenRequest API for the cloud's audience, the role or client
 * ID from the ServiceAccount's annotations), or, without spec.serviceAccountName and only if
 * allowed, the operator's own (its environment). The engine's {@link CloudCredentials} exchanges and
 * caches; tokens are requested only when an exchange is due.
 */
public final class WorkloadIdentity {
    /** IRSA: the IAM role the ServiceAccount may assume. */
    public static final String AWS_ROLE_ARN = "eks.amazonaws.com/role-arn";
    /** IRSA: overrides the token audience (default sts.amazonaws.com). */
    public static final String AWS_AUDIENCE = "eks.amazonaws.com/audience";
    /** Azure workload identity: the application (client) ID with the federated credential. */
    public static final String AZURE_CLIENT_ID = "azure.workload.identity/client-id";
    /** Azure workload identity: the Entra tenant (default: the operator's setting or AZURE_TENANT_ID). */
    public static final String AZURE_TENANT_ID = "azure.workload.identity/tenant-id";

    /** What the operator decides; the cloud endpoints are the engine's {@link io.helmoci.engine.cloud.CloudSettings}. */
    public record Settings(
            boolean allowOperatorIdentity, String azureTenantId, String gcpAudience, Map<String, String> environment) {}

    private final CloudCredentials credentials;
    private final ServiceAccountTokens tokens;
    private final Settings settings;
    private final ProxyRules environmentProxy;

    public WorkloadIdentity(CloudCredentials credentials, ServiceAccountTokens tokens, Settings settings) {
        this(credentials, tokens, settings, null);
    }

    /**
     * @param environmentProxy the operator's HTTPS_PROXY/HTTP_PROXY/NO_PROXY (null = none): the cloud's token and
     *                         exchange endpoints go through the same proxy as the registry requests
     */
    public WorkloadIdentity(
            CloudCredentials credentials, ServiceAccountTokens tokens, Settings settings, ProxyRules environmentProxy) {
        this.credentials = credentials;
        this.tokens = tokens;
        this.settings = settings;
        this.environmentProxy = environmentProxy;
    }

    /** The request with the cloud's registry credentials for a cloud provider; unchanged for provider generic. */
    public ChartRequest apply(HelmOciChart resource, ObjectLookup lookup, ChartRequest request) {
        String registryHost = OciReference.parse(request.url()).registry();
        return credentials(
                        resource,
                        lookup,
                        registryHost,
                        request.access().plainHttp(),
                        request.access().proxy())
                .map(c -> new ChartRequest(
                        request.url(),
                        request.version(),
                        request.digest(),
                        request.access().withCloudCredentials(c),
                        request.timeout()))
                .orElse(request);
    }

    /**
     * The registry credentials for the resource's provider, or empty for provider generic (Secrets).
     *
     * @param registryHost host[:port] of the chart's registry
     */
    public Optional<Credentials> credentials(
            HelmOciChart resource, ObjectLookup lookup, String registryHost, boolean plainHttp) {
        return credentials(resource, lookup, registryHost, plainHttp, null);
    }

    /**
     * As {@link #credentials(HelmOciChart, ObjectLookup, String, boolean)}, through the resource's proxy.
     *
     * @param proxy the resource's spec.proxySecretRef; null = the operator's environment decides
     */
    public Optional<Credentials> credentials(
            HelmOciChart resource, ObjectLookup lookup, String registryHost, boolean plainHttp, ProxyAccess proxy) {
        CloudProvider provider = CloudProvider.parse(resource.getSpec().getProvider());
        if (provider == null) {
            return Optional.empty();
        }
        CloudIdentity identity = identity(resource, lookup, provider);
        try {
            return Optional.of(credentials.credentials(
                    identity, registryHost, plainHttp, ProxyAccess.rules(proxy, environmentProxy)));
        } catch (EngineException e) {
            throw ReconcileException.from(e);
        }
    }

    /** Exchanges made so far (one per credential lifetime, not per reconcile). */
    public long exchangeCount() {
        return credentials.exchangeCount();
    }

    private CloudIdentity identity(HelmOciChart resource, ObjectLookup lookup, CloudProvider provider) {
        String namespace = resource.getMetadata().getNamespace();
        String accountName = resource.getSpec().getServiceAccountName();
        if (accountName == null || accountName.isBlank()) {
            if (!settings.allowOperatorIdentity()) {
                throw new ReconcileException(
                        ConditionReasons.OPERATOR_IDENTITY_FORBIDDEN,
                        "spec.provider is " + provider.id() + " without spec.serviceAccountName, and this operator"
                                + " does not lend its own cloud identity (helmoci.identity.allow-operator-identity=false):"
                                + " set spec.serviceAccountName to a ServiceAccount of namespace " + namespace
                                + " that has a cloud identity.",
                        Disposition.STALLED);
            }
            CloudIdentity own = EnvironmentIdentity.of(provider, settings.environment());
            if (provider == CloudProvider.AZURE && own.tenant() == null && settings.azureTenantId() != null) {
                own = new CloudIdentity(
                        own.provider(), own.subject(), own.principal(), settings.azureTenantId(), null, own.tokens());
            }
            return own;
        }
        ServiceAccount account = lookup.serviceAccount(namespace, accountName)
                .orElseThrow(() -> new ReconcileException(
                        ConditionReasons.SERVICE_ACCOUNT_NOT_FOUND,
                        "ServiceAccount " + accountName + " (spec.serviceAccountName) does not exist in namespace "
                                + namespace + ": create it, or fix the name.",
                        Disposition.WAIT));
        Map<String, String> annotations = account.getMetadata().getAnnotations() == null
                ? Map.of()
                : account.getMetadata().getAnnotations();
        String subject = "ServiceAccount " + namespace + "/" + accountName;
        return switch (provider) {
            case AWS -> {
                String role = annotations.get(AWS_ROLE_ARN);
                if (role == null || role.isBlank()) {
                    throw notConfigured(
                            subject + " has no " + AWS_ROLE_ARN + " annotation: annotate it with the IAM role to"
                                    + " assume (arn:aws:iam::<account>:role/<name>), whose trust policy allows"
                                    + " system:serviceaccount:" + namespace + ":" + accountName + ".");
                }
                String audience = annotations.getOrDefault(AWS_AUDIENCE, provider.defaultAudience());
                yield new CloudIdentity(
                        provider,
                        subject,
                        role.trim(),
                        null,
                        null,
                        () -> tokens.request(namespace, accountName, audience));
            }
            case AZURE -> {
                String clientId = annotations.get(AZURE_CLIENT_ID);
                if (clientId == null || clientId.isBlank()) {
                    throw notConfigured(subject + " has no " + AZURE_CLIENT_ID + " annotation: annotate it with the"
                            + " client ID of the application (or managed identity) that has a federated credential"
                            + " for system:serviceaccount:" + namespace + ":" + accountName + ".");
                }
                String tenant = annotations.getOrDefault(
                        AZURE_TENANT_ID,
                        settings.azureTenantId() != null
                                ? settings.azureTenantId()
                                : settings.environment().get("AZURE_TENANT_ID"));
                if (tenant == null || tenant.isBlank()) {
                    throw notConfigured(subject + " has no " + AZURE_TENANT_ID + " annotation and the operator has no"
                            + " default tenant: annotate it, or set helmoci.identity.azure.tenant-id.");
                }
                yield new CloudIdentity(
                        provider,
                        subject,
                        clientId.trim(),
                        tenant.trim(),
                        null,
                        () -> tokens.request(namespace, accountName, provider.defaultAudience()));
            }
            case GCP -> {
                String audience = settings.gcpAudience();
                if (audience == null || audience.isBlank()) {
                    throw notConfigured(
                            "The operator has no workload identity pool provider audience for " + subject
                                    + ": set helmoci.identity.gcp.audience"
                                    + " (//iam.googleapis.com/projects/<number>/locations/global/workloadIdentityPools/<pool>/providers/<provider>).");
                }
                yield new CloudIdentity(
                        provider,
                        subject,
                        null,
                        null,
                        audience,
                        () -> tokens.request(namespace, accountName, audience));
            }
        };
    }

    private static ReconcileException notConfigured(String message) {
        return new ReconcileException(
                ConditionReasons.of(Reason.CloudIdentityNotConfigured), message, Disposition.WAIT);
    }
}
