package io.helmoci.operator.credentials;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** The referenced objects of unit tests: Secrets and ServiceAccounts put in by the test, found by namespace and name. */
public final class InMemoryObjectLookup implements ObjectLookup {
    private final Map<String, Secret> secrets = new HashMap<>();
    private final Map<String, ServiceAccount> accounts = new HashMap<>();

    /** Adds (or replaces) a Secret under its metadata's namespace and name. */
    public InMemoryObjectLookup put(Secret secret) {
        secrets.put(
                key(secret.getMetadata().getNamespace(), secret.getMetadata().getName()), secret);
        return this;
    }

    /** Adds (or replaces) a ServiceAccount under its metadata's namespace and name. */
    public InMemoryObjectLookup put(ServiceAccount account) {
        accounts.put(
                key(account.getMetadata().getNamespace(), account.getMetadata().getName()), account);
        return this;
    }

    @Override
    public Optional<Secret> secret(String namespace, String name) {
        return Optional.ofNullable(secrets.get(key(namespace, name)));
    }

    @Override
    public Optional<ServiceAccount> serviceAccount(String namespace, String name) {
        return Optional.ofNullable(accounts.get(key(namespace, name)));
    }

    private static String key(String namespace, String name) {
        return namespace + "/" + name;
    }
}
