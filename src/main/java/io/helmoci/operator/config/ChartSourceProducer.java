package io.helmoci.operator.config;

import io.helmoci.engine.ChartPuller;
import io.helmoci.engine.chart.ChartLimits;
import io.helmoci.operator.metrics.MeteredChartSource;
import io.helmoci.operator.source.ChartSource;
import io.helmoci.operator.source.EngineChartSource;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

import java.time.Clock;

/** One engine per process: it shares connections and registry tokens across all HelmOciCharts. */
@ApplicationScoped
public class ChartSourceProducer {
    private EngineChartSource engine;

    @Produces
    @ApplicationScoped
    ChartSource chartSource(OperatorConfig config, MeterRegistry meters) {
        OperatorConfig.Limits limits = config.limits();
        ChartLimits chartLimits = new ChartLimits(limits.maxArchiveBytes(), limits.maxFileBytes(), limits.maxTotalBytes(),
                limits.maxEntries(), limits.maxTags(), limits.maxTagListBytes(), ChartLimits.OPERATOR_SETTINGS);
        engine = new EngineChartSource(new ChartPuller(config.store().path(), chartLimits, Clock.systemUTC(),
                MeteredChartSource.httpRequestCounter(meters)));
        return new MeteredChartSource(engine, meters);
    }

    @PreDestroy
    void close() {
        if (engine != null) {
            engine.close();
        }
    }
}
