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
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;

/** One engine per process: it shares connections and registry tokens across all HelmOciCharts; its store is the artifact store. */
@ApplicationScoped
public class ChartSourceProducer {

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

    /** Reuse windows well below the shortest interval, so a moved tag is seen within interval + window. */
    static RequestSharing requestSharing(OperatorConfig config) {
        Duration half = config.reconcile().minInterval().dividedBy(2);
        return new RequestSharing(
                config.registry().tagListTtl().orElse(half),
                config.registry().manifestTtl().orElse(half));
    }

    void close(@Disposes ChartPuller puller) {
        puller.close();
    }

    @Produces
    @ApplicationScoped
    ChartSource chartSource(ChartPuller puller, MeterRegistry meters) {
        // HTTPS_PROXY / HTTP_PROXY / NO_PROXY of the operator's process, read once: an unusable value
        // stops the start with a message naming the variable (never its value, which may hold a password).
        return new MeteredChartSource(
                new EngineChartSource(puller, ProxyRules.fromEnvironment(System.getenv())), meters);
    }

    @Produces
    @ApplicationScoped
    ArtifactStore artifactStore(ChartPuller puller, MeterRegistry meters) {
        return MeteredChartSource.gaugeStoredBlobs(new EngineArtifactStore(puller.store()), meters);
    }
}
