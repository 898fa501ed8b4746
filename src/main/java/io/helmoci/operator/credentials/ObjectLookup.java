package io.helmoci.operator.credentials;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import java.util.Optional;

/** Reads the objects a HelmOciChart references: from the informer caches in the reconciler, from the API elsewhere. */
public interface ObjectLookup {
    Optional<Secret> secret(String namespace, String name);

    Optional<ServiceAccount> serviceAccount(String namespace, String name);
}
