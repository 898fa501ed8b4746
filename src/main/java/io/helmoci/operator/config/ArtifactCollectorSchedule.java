package io.helmoci.operator.config;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.helmoci.operator.api.v1alpha1.HelmOciChart;
import io.helmoci.operator.artifacts.ArtifactCollector;
import io.helmoci.operator.artifacts.ArtifactRetention;
import io.helmoci.operator.events.EventRecorder;
import io.helmoci.operator.source.ArtifactStore;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Runs the {@link ArtifactCollector} on this replica's store every {@link ArtifactRetention#sweepPeriod()},
 * against the HelmOciCharts listed from the API server (so followers, which do not reconcile, sweep too).
 */
@ApplicationScoped
public class ArtifactCollectorSchedule {
    private static final Logger LOG = Logger.getLogger(ArtifactCollectorSchedule.class);

    private final ArtifactCollector collector;
    private final ArtifactRetention retention;
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "artifact-collector");
        thread.setDaemon(true);
        return thread;
    });
    private boolean listFailureLogged;

    public ArtifactCollectorSchedule(
            ArtifactStore store, KubernetesClient client, ArtifactRetention retention, EventRecorder events) {
        this.retention = retention;
        this.collector = new ArtifactCollector(
                store,
                () -> client.resources(HelmOciChart.class)
                        .inAnyNamespace()
                        .list()
                        .getItems(),
                retention,
                events,
                Clock.systemUTC());
    }

    void start(@Observes StartupEvent event) {
        long period = retention.sweepPeriod().toMillis();
        executor.scheduleWithFixedDelay(this::sweep, period, period, TimeUnit.MILLISECONDS);
        LOG.infof(
                "Superseded artifacts are served for %s, then removed; the store is swept every %s",
                retention.retention(), retention.sweepPeriod());
    }

    private void sweep() {
        try {
            collector.sweep();
            listFailureLogged = false;
        } catch (RuntimeException e) { // never let one failure end the schedule; nothing was deleted
            if (!listFailureLogged) {
                LOG.warnf(
                        "Could not sweep the artifact store (retried every %s): %s",
                        retention.sweepPeriod(), e.getMessage());
                listFailureLogged = true;
            } else {
                LOG.debugf(e, "Sweep failed again");
            }
        }
    }

    @PreDestroy
    void stop() {
        executor.shutdownNow();
    }
}
