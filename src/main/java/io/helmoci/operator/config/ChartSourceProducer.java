package io.helmoci.operator.config;

import io.helmoci.engine.ChartPuller;
import io.helmoci.operator.metrics.MeteredChartSource;
import io.helmoci.operator.source.ChartSource;
import io.helmoci.operator.source.EngineChartSource;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

/** One engine per process: it shares connections and registry tokens across all HelmOciCharts. */
@ApplicationScoped
public class ChartSourceProducer {
    private EngineChartSource engine;

    @Produces
    @ApplicationScoped
    ChartSource chartSource(OperatorConfig config, MeterRegistry meters) {
        engine = new EngineChartSource(new ChartPuller(config.store().path()));
        FunctionCounter.builder("helmoci.registry.http.requests", engine, EngineChartSource::httpRequests)
                .description("HTTP exchanges with registries, token requests included")
                .register(meters);
        return new MeteredChartSource(engine, meters);
    }

    @PreDestroy
    void close() {
        if (engine != null) {
            engine.close();
        }
    }
}
