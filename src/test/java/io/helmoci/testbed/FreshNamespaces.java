package io.helmoci.testbed;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/** Namespaces with fresh, DNS-safe names, so that test classes sharing one API server never collide. */
final class FreshNamespaces {
    private final AtomicInteger count = new AtomicInteger();

    /** Creates a namespace named after {@code prefix} (made DNS-safe) plus a counter, and returns its name. */
    String create(KubernetesClient client, String prefix) {
        String safe =
                prefix.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]+", "-").replaceAll("^-+|-+$", "");
        safe = safe.isEmpty() ? "test" : safe.substring(0, Math.min(safe.length(), 50));
        String name = safe + "-" + count.incrementAndGet();
        client.namespaces()
                .resource(new NamespaceBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .endMetadata()
                        .build())
                .create();
        return name;
    }
}
