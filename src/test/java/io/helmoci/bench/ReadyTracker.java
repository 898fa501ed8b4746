package io.helmoci.bench;

import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.helmoci.operator.api.v1alpha1.HelmOciChart;
import io.helmoci.testbed.KubeApiServerFixture;
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

    private ReadyTracker(KubeApiServerFixture kube, String namespace) {
        this.informer = kube.client()
                .resources(HelmOciChart.class)
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

    static ReadyTracker watch(KubeApiServerFixture kube, String namespace) {
        return new ReadyTracker(kube, namespace);
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
