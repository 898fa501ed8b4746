package io.helmoci.bench;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.helmoci.operator.api.v1alpha1.HelmOciChart;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which HelmOciCharts of a namespace are Ready, from a watch (an informer): the benchmark learns of
 * each change as it happens without listing every resource again and again, which at N = 1000
 * would load the API server it measures.
 */
final class ReadyTracker implements AutoCloseable {
    private final Set<String> ready = ConcurrentHashMap.newKeySet();
    private final Object changed = new Object();
    private final SharedIndexInformer<HelmOciChart> informer;

    private ReadyTracker(KubernetesClient client, String namespace) {
        this.informer = client.resources(HelmOciChart.class)
                .inNamespace(namespace)
                .inform(new ResourceEventHandler<>() {
                    @Override
                    public void onAdd(HelmOciChart chart) {
                        update(chart);
                    }

                    @Override
                    public void onUpdate(HelmOciChart before, HelmOciChart chart) {
                        update(chart);
                    }

                    @Override
                    public void onDelete(HelmOciChart chart, boolean unknownFinalState) {
                        ready.remove(chart.getMetadata().getName());
                    }
                });
    }

    static ReadyTracker watch(KubernetesClient client, String namespace) {
        return new ReadyTracker(client, namespace);
    }

    private void update(HelmOciChart chart) {
        boolean changedNow = OperatorBench.isReady(chart)
                ? ready.add(chart.getMetadata().getName())
                : ready.remove(chart.getMetadata().getName());
        if (changedNow) {
            synchronized (changed) {
                changed.notifyAll();
            }
        }
    }

    /** When the first, half and all of a batch were Ready, in seconds from its start. */
    record Progress(double firstSeconds, double halfSeconds, double allSeconds) {}

    /**
     * Waits until {@code n} resources are Ready, counting from {@code startNanos} (a {@link System#nanoTime()}
     * taken before the batch was applied); an {@link IllegalStateException} saying how many were Ready after
     * {@code timeout}.
     */
    Progress awaitAll(int n, long startNanos, java.time.Duration timeout) {
        double first = Double.NaN;
        double half = Double.NaN;
        long deadline = startNanos + timeout.toNanos();
        int count = 0;
        while (count < n) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(count + " of " + n + " HelmOciCharts Ready after " + timeout);
            }
            count = ready();
            double now = Stats.seconds(startNanos);
            if (count > 0 && Double.isNaN(first)) {
                first = now;
            }
            if (count * 2 >= n && Double.isNaN(half)) {
                half = now;
            }
            if (count < n) {
                awaitChange(100);
            }
        }
        return new Progress(first, half, Stats.seconds(startNanos));
    }

    int ready() {
        return ready.size();
    }

    /** Waits up to {@code millis} for any resource to become Ready (or stop being). */
    void awaitChange(long millis) {
        synchronized (changed) {
            try {
                changed.wait(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Waits until {@code name} is Ready; false after {@code millis}. */
    boolean awaitReady(String name, long millis) {
        long deadline = System.nanoTime() + millis * 1_000_000;
        synchronized (changed) {
            while (!ready.contains(name)) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    return false;
                }
                try {
                    changed.wait(Math.min(left, 50));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        return true;
    }

    @Override
    public void close() {
        informer.close();
    }
}
