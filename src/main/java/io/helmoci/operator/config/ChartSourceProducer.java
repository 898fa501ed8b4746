package io.helmoci.operator.config;

import io.helmoci.engine.ChartPuller;
import io.helmoci.engine.chart.ChartLimits;
import io.helmoci.engine.registry.ProxyRules;
import io.helmoci.engine.registry.RegistryBudget;
import io.helmoci.engine.registry.RequestSharing;
import io.helmoci.operator.metrics.MeteredChartSource;
import io.helmoci.operator.source.ArtifactStore;
import io.helmoci.operator.source.ChartSource;
import io.helmoci.operator.source.EngineArtifactStore;
import io.helmoci.operator.source.EngineChartSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import org.jboss.logging.Logger;

/** One engine per process: it shares connections and registry tokens across all HelmOciCharts; its store is the artifact store. */
@ApplicationScoped
public class ChartSourceProducer {
    private static final Logger LOG = Logger.getLogger(ChartSourceProducer.class);

    /** HTTPS_PROXY / HTTP_PROXY / NO_PROXY of the operator's process, read once; null = none set. */
    private final ProxyRules environmentProxy = ProxyRules.fromEnvironment(System.getenv());

    /**
     * Reads the proxy variables at start (this bean is created then), so an unusable value stops the
     * operator with a message naming the variable, never its value; logs the proxies without credentials.
     */
    void logProxy(@Observes StartupEvent event) {
        if (environmentProxy != null) {
            LOG.infof("Registry requests use the proxies of the environment: %s", environmentProxy);
        }
    }

    @Produces
    @Singleton
    ChartPuller chartPuller(OperatorConfig config, MeterRegistry meters) {
        OperatorConfig.Limits limits = config.limits();
        ChartLimits chartLimits = new ChartLimits(
                limits.maxArchiveBytes(),
                limits.maxFileBytes(),
                limits.maxTotalBytes(),
                limits.maxEntries(),
                limits.maxTags(),
                limits.maxTagListBytes(),
                ChartLimits.OPERATOR_SETTINGS);
        return new ChartPuller(
                config.store().path(),
                chartLimits,
                Clock.systemUTC(),
                MeteredChartSource.httpRequestCounter(meters),
                requestSharing(config),
                new RegistryBudget.Limits(
                        config.registry().maxConcurrentRequests(),
                        config.registry().requestsPerSecond(),
                        config.registry().defaultPause(),
                        true));
    }

    /**
     * Reuse windows well below the shortest interval, so a moved tag is seen within interval + window.
     * Answers are kept longer for the checks of one round (see CheckSchedule), which only reuse answers
     * requested since their round started: this bounds how long a round may take, not staleness.
     */
    static RequestSharing requestSharing(OperatorConfig config) {
        Duration half = config.reconcile().minInterval().dividedBy(2);
        return new RequestSharing(
                config.registry().tagListTtl().orElse(half),
                config.registry().manifestTtl().orElse(half),
                ROUND_ANSWERS_KEPT);
    }

    /** How long a round's answers are kept for its late checks (a round of thousands under load takes seconds). */
    static final Duration ROUND_ANSWERS_KEPT = Duration.ofMinutes(5);

    void close(@Disposes ChartPuller puller) {
        puller.close();
    }

    @Produces
    @ApplicationScoped
    ChartSource chartSource(ChartPuller puller, MeterRegistry meters) {
        return new MeteredChartSource(new EngineChartSource(puller, environmentProxy), meters);
    }

    @Produces
    @ApplicationScoped
    ArtifactStore artifactStore(ChartPuller puller, MeterRegistry meters) {
        return MeteredChartSource.gaugeStoredBlobs(new EngineArtifactStore(puller.store()), meters);
    }
}
