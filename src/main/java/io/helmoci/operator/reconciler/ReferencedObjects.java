package io.helmoci.operator.reconciler;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.helmoci.operator.api.v1alpha1.HelmOciChart;
import io.helmoci.operator.api.v1alpha1.HelmOciChartSpec;
import io.javaoperatorsdk.operator.api.config.informer.FieldSelector;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The Secrets and ServiceAccounts HelmOciCharts reference, watched as secondary resources. An
 * index on the HelmOciChart cache maps a changed object back to the charts that use it: directly
 * (spec.secretRef, spec.certSecretRef, spec.serviceAccountName) or, for a Secret, through a
 * ServiceAccount whose imagePullSecrets name it.
 */
final class ReferencedObjects {
    static final String SECRETS = "secrets";
    static final String SERVICE_ACCOUNTS = "serviceaccounts";
    static final String SECRET_INDEX = "helmoci.io/secret";
    static final String SERVICE_ACCOUNT_INDEX = "helmoci.io/serviceaccount";
    /** Secrets that can never hold registry credentials; keeping them (Helm releases are large) out of the cache saves memory. */
    static final FieldSelector CREDENTIAL_SECRETS_ONLY = new FieldSelector(
            new FieldSelector.Field("type", "helm.sh/release.v1", true),
            new FieldSelector.Field("type", "kubernetes.io/service-account-token", true));

    private ReferencedObjects() {}

    static List<EventSource<?, HelmOciChart>> eventSources(EventSourceContext<HelmOciChart> context) {
        IndexerResourceCache<HelmOciChart> charts = context.getPrimaryCache();
        charts.addIndexer(SECRET_INDEX, ReferencedObjects::referencedSecrets);
        charts.addIndexer(SERVICE_ACCOUNT_INDEX, ReferencedObjects::referencedServiceAccount);

        InformerEventSource<ServiceAccount, HelmOciChart> accounts = new InformerEventSource<>(
                InformerEventSourceConfiguration.from(ServiceAccount.class, HelmOciChart.class)
                        .withName(SERVICE_ACCOUNTS)
                        .withSecondaryToPrimaryMapper(
                                account -> ids(charts.byIndex(SERVICE_ACCOUNT_INDEX, key(account))))
                        .build(),
                context);
        InformerEventSource<Secret, HelmOciChart> secrets = new InformerEventSource<>(
                InformerEventSourceConfiguration.from(Secret.class, HelmOciChart.class)
                        .withName(SECRETS)
                        .withFieldSelector(CREDENTIAL_SECRETS_ONLY)
                        .withSecondaryToPrimaryMapper(secret -> Stream.concat(
                                        charts.byIndex(SECRET_INDEX, key(secret)).stream(),
                                        accountsPulling(accounts, secret)
                                                .flatMap(a -> charts.byIndex(SERVICE_ACCOUNT_INDEX, key(a)).stream()))
                                .map(ResourceID::fromResource)
                                .collect(Collectors.toSet()))
                        .build(),
                context);
        return List.of(accounts, secrets);
    }

    @SuppressWarnings("unchecked")
    static InformerEventSource<Secret, HelmOciChart> secrets(Context<HelmOciChart> context) {
        return (InformerEventSource<Secret, HelmOciChart>)
                context.eventSourceRetriever().getEventSourceFor(Secret.class, SECRETS);
    }

    @SuppressWarnings("unchecked")
    static InformerEventSource<ServiceAccount, HelmOciChart> serviceAccounts(Context<HelmOciChart> context) {
        return (InformerEventSource<ServiceAccount, HelmOciChart>)
                context.eventSourceRetriever().getEventSourceFor(ServiceAccount.class, SERVICE_ACCOUNTS);
    }

    /** Index keys: namespace/name of every Secret the chart names in its spec. */
    static List<String> referencedSecrets(HelmOciChart chart) {
        HelmOciChartSpec spec = chart.getSpec();
        List<String> keys = new ArrayList<>(2);
        if (spec != null && spec.getSecretRef() != null && spec.getSecretRef().getName() != null) {
            keys.add(key(chart.getMetadata().getNamespace(), spec.getSecretRef().getName()));
        }
        if (spec != null
                && spec.getCertSecretRef() != null
                && spec.getCertSecretRef().getName() != null) {
            keys.add(key(
                    chart.getMetadata().getNamespace(), spec.getCertSecretRef().getName()));
        }
        if (spec != null
                && spec.getProxySecretRef() != null
                && spec.getProxySecretRef().getName() != null) {
            keys.add(key(
                    chart.getMetadata().getNamespace(), spec.getProxySecretRef().getName()));
        }
        if (spec != null
                && spec.getVerify() != null
                && spec.getVerify().getSecretRef() != null
                && spec.getVerify().getSecretRef().getName() != null) {
            keys.add(key(
                    chart.getMetadata().getNamespace(),
                    spec.getVerify().getSecretRef().getName()));
        }
        return keys;
    }

    static List<String> referencedServiceAccount(HelmOciChart chart) {
        HelmOciChartSpec spec = chart.getSpec();
        if (spec == null
                || spec.getServiceAccountName() == null
                || spec.getServiceAccountName().isBlank()) {
            return List.of();
        }
        return List.of(key(chart.getMetadata().getNamespace(), spec.getServiceAccountName()));
    }

    private static Stream<ServiceAccount> accountsPulling(
            InformerEventSource<ServiceAccount, HelmOciChart> accounts, Secret secret) {
        String name = secret.getMetadata().getName();
        return accounts.list(
                secret.getMetadata().getNamespace(),
                account -> account.getImagePullSecrets() != null
                        && account.getImagePullSecrets().stream()
                                .anyMatch(reference -> name.equals(reference.getName())));
    }

    private static Set<ResourceID> ids(List<HelmOciChart> charts) {
        return charts.stream().map(ResourceID::fromResource).collect(Collectors.toSet());
    }

    private static String key(HasMetadata object) {
        return key(object.getMetadata().getNamespace(), object.getMetadata().getName());
    }

    private static String key(String namespace, String name) {
        return namespace + "/" + name;
    }
}
