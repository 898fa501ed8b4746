package io.helmoci.operator.credentials;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Optional;

/** Reads referenced objects straight from the API server (outside the reconciler, which uses its caches). */
public final class ClientObjectLookup implements ObjectLookup {
    private final KubernetesClient client;

    public ClientObjectLookup(KubernetesClient client) {
        this.client = client;
    }

    @Override
    public Optional<Secret> secret(String namespace, String name) {
        return Optional.ofNullable(
                client.secrets().inNamespace(namespace).withName(name).get());
    }

    @Override
    public Optional<ServiceAccount> serviceAccount(String namespace, String name) {
        return Optional.ofNullable(
                client.serviceAccounts().inNamespace(namespace).withName(name).get());
    }
}
