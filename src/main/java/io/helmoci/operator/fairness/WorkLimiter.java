package io.helmoci.operator.fairness;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Bounds how many reconciliations run at once against one registry and within one namespace, so
 * that a slow registry or a noisy namespace cannot occupy every reconcile worker: the rest of the
 * cluster keeps being reconciled. {@link #tryEnter} never blocks; a refused reconciliation is
 * requeued shortly instead of holding a worker while it waits. Thread-safe.
 */
public final class WorkLimiter {
    private final int perRegistry;
    private final int perNamespace;
    private final String registrySetting;
    private final String namespaceSetting;
    private final Map<String, Integer> registries = new ConcurrentHashMap<>();
    private final Map<String, Integer> namespaces = new ConcurrentHashMap<>();
    private final Object freed = new Object();

    /** What {@link #tryEnter} decided; close an admitted one when the work is done. */
    public interface Admission extends AutoCloseable {
        boolean admitted();

        /** Why it was refused, for the status (empty when admitted). */
        String message();

        @Override
        void close();
    }

    /**
     * @param perRegistry      reconciliations at once against one registry (host[:port])
     * @param perNamespace     reconciliations at once within one namespace
     * @param registrySetting  the setting that raises {@code perRegistry}, for messages
     * @param namespaceSetting the setting that raises {@code perNamespace}, for messages
     */
    public WorkLimiter(int perRegistry, int perNamespace, String registrySetting, String namespaceSetting) {
        if (perRegistry <= 0 || perNamespace <= 0) {
            throw new IllegalArgumentException(
                    "concurrency limits must be positive: " + perRegistry + ", " + perNamespace);
        }
        this.perRegistry = perRegistry;
        this.perNamespace = perNamespace;
        this.registrySetting = registrySetting;
        this.namespaceSetting = namespaceSetting;
    }

    /**
     * As {@link #tryEnter(String, String)}, but waits up to {@code wait} for a slot before refusing. A
     * worker beyond the limits then takes the next free slot of a busy registry instead of refusing
     * (and requeueing) every resource it picks while the slots turn over in milliseconds; only a
     * registry that holds its slots longer (a slow one) gets refusals.
     */
    public Admission enter(String registry, String namespace, java.time.Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            Admission admission = tryEnter(registry, namespace);
            long left = deadline - System.nanoTime();
            if (admission.admitted() || left <= 0) {
                return admission;
            }
            synchronized (freed) {
                try {
                    freed.wait(Math.max(1, Math.min(left / 1_000_000, 50)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return admission;
                }
            }
        }
    }

    /**
     * Takes a slot for {@code registry} (null when the reference is invalid: only the namespace
     * counts) and {@code namespace}, or refuses at once when either is full.
     */
    public Admission tryEnter(String registry, String namespace) {
        if (registry != null && !increment(registries, registry, perRegistry)) {
            return refused("Waiting for a free slot: " + perRegistry + " reconciliations already run against registry "
                    + registry
                    + " (a slow registry may hold them up to their timeout); retried shortly. Raise " + registrySetting
                    + " if this registry should get more.");
        }
        if (!increment(namespaces, namespace, perNamespace)) {
            if (registry != null) {
                decrement(registries, registry);
            }
            return refused("Waiting for a free slot: " + perNamespace + " reconciliations already run in namespace "
                    + namespace + "; retried shortly. Raise " + namespaceSetting
                    + " if this namespace should get more.");
        }
        return new Admission() {
            private boolean closed;

            @Override
            public boolean admitted() {
                return true;
            }

            @Override
            public String message() {
                return "";
            }

            @Override
            public synchronized void close() {
                if (!closed) {
                    closed = true;
                    if (registry != null) {
                        decrement(registries, registry);
                    }
                    decrement(namespaces, namespace);
                    synchronized (freed) {
                        freed.notifyAll();
                    }
                }
            }
        };
    }

    /**
     * The registry (host[:port], lower case) an {@code oci://} URL points to, or null when it is not
     * one (such a resource fails without any registry request). Kept free of the engine's parser on
     * purpose: the operator reaches the engine only through its source adapter.
     */
    public static String registryOf(String url) {
        if (url == null || !url.regionMatches(true, 0, "oci://", 0, 6)) {
            return null;
        }
        String rest = url.substring(6);
        int slash = rest.indexOf('/');
        String host = (slash < 0 ? rest : rest.substring(0, slash)).trim().toLowerCase(java.util.Locale.ROOT);
        return host.isEmpty() ? null : host;
    }

    /** Slots taken now for this registry (for tests and metrics). */
    public int running(String registry) {
        return registries.getOrDefault(registry, 0);
    }

    private static boolean increment(Map<String, Integer> counts, String key, int max) {
        boolean[] taken = {false};
        counts.compute(key, (k, current) -> {
            int now = current == null ? 0 : current;
            if (now >= max) {
                return current;
            }
            taken[0] = true;
            return now + 1;
        });
        return taken[0];
    }

    private static void decrement(Map<String, Integer> counts, String key) {
        counts.computeIfPresent(key, (k, current) -> current <= 1 ? null : current - 1);
    }

    private static Admission refused(String message) {
        return new Admission() {
            @Override
            public boolean admitted() {
                return false;
            }

            @Override
            public String message() {
                return message;
            }

            @Override
            public void close() {}
        };
    }
}
