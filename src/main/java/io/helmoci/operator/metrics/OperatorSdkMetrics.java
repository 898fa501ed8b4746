package io.helmoci.operator.metrics;

import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * java-operator-sdk's reconciliation metrics per controller, not per resource. The Quarkus extension's
 * default keeps a set of meters for every HelmOciChart (tagged with its name and namespace): with a
 * thousand resources, thousands of meters held on the heap and rendered at every scrape (tens of MiB
 * of garbage per {@code /q/metrics} in the N = 1000 benchmark). The operator's own
 * {@code helmoci_*} metrics are per registry and result, never per resource.
 */
@ApplicationScoped
public class OperatorSdkMetrics {
    @Produces
    @Singleton
    Metrics operatorSdkMetrics(MeterRegistry registry) {
        return MicrometerMetrics.withoutPerResourceMetrics(registry);
    }
}
