package io.helmoci.operator.config;

import io.helmoci.engine.ChartPuller;
import io.helmoci.operator.source.ChartSource;
import io.helmoci.operator.source.EngineChartSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;

/** One engine per process: it shares connections and registry tokens across all HelmOciCharts. */
@ApplicationScoped
public class ChartSourceProducer {

    @Produces
    @ApplicationScoped
    EngineChartSource chartSource(OperatorConfig config) {
        return new EngineChartSource(new ChartPuller(config.store().path()));
    }

    void close(@Disposes EngineChartSource source) {
        source.close();
    }
}
