package io.helmoci.operator.metrics;

import io.helmoci.engine.EngineException;
import io.helmoci.engine.registry.ExchangeObserver;
import io.helmoci.operator.source.ArtifactStore;
import io.helmoci.operator.source.ChartLayer;
import io.helmoci.operator.source.ChartRequest;
import io.helmoci.operator.source.ChartSource;
import io.helmoci.operator.source.ResolvedChart;
import io.helmoci.operator.source.StoredChart;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.Supplier;

/**
 * Counts what a {@link ChartSource} does, for Prometheus:
 * {@code helmoci_registry_operations_total{registry,operation,result}} and
 * {@code helmoci_pulled_bytes_total{registry}}; through {@link #httpRequestCounter},
 * {@code helmoci_registry_http_requests_total{registry,result}}; through {@link #gaugeStoredBlobs},
 * {@code helmoci_artifacts_stored}.
 */
public record MeteredChartSource(ChartSource delegate, MeterRegistry registry) implements ChartSource {
    static final String HTTP_REQUESTS = "helmoci.registry.http.requests";

    @Override
    public ResolvedChart resolve(ChartRequest request) {
        return count(request, "resolve", () -> delegate.resolve(request));
    }

    @Override
    public ResolvedChart resolve(ChartRequest request, java.time.Instant acceptSince) {
        return count(request, "resolve", () -> delegate.resolve(request, acceptSince));
    }

    @Override
    public StoredChart pull(ChartRequest request, ChartLayer chartLayer, String version) {
        StoredChart pulled = count(request, "pull", () -> delegate.pull(request, chartLayer, version));
        registry.counter("helmoci.pulled.bytes", "registry", registryOf(request.url()))
                .increment(pulled.size());
        return pulled;
    }

    @Override
    public io.helmoci.engine.verify.VerificationResult verify(
            ChartRequest request, ResolvedChart resolved, io.helmoci.engine.verify.VerificationPolicy policy) {
        return count(request, "verify", () -> delegate.verify(request, resolved, policy));
    }

    @Override
    public void forgetSharedAnswersBefore(String url, java.time.Instant instant) {
        delegate.forgetSharedAnswersBefore(url, instant);
    }

    /**
     * Counts every HTTP exchange with a registry or token server by server (host[:port]) and result
     * (status class, or timeout / tls_error / connection_error): few label values, no paths.
     */
    public static ExchangeObserver httpRequestCounter(MeterRegistry registry) {
        return (server, result) -> registry.counter(HTTP_REQUESTS, "registry", server, "result", result)
                .increment();
    }

    /** {@code helmoci_artifacts_stored}: the blobs (archives, manifests, configs) in this replica's store, counted when scraped. */
    public static ArtifactStore gaugeStoredBlobs(ArtifactStore store, MeterRegistry registry) {
        Gauge.builder("helmoci.artifacts.stored", store, s -> s.storedBlobs().size())
                .description("Blobs (chart archives, manifests, configs) in this replica's store")
                .strongReference(true)
                .register(registry);
        return store;
    }

    private <T> T count(ChartRequest request, String operation, Supplier<T> call) {
        String result = "ok";
        try {
            return call.get();
        } catch (EngineException e) {
            result = e.reason().name();
            throw e;
        } catch (RuntimeException e) {
            result = "error";
            throw e;
        } finally {
            registry.counter(
                            "helmoci.registry.operations",
                            "registry",
                            registryOf(request.url()),
                            "operation",
                            operation,
                            "result",
                            result)
                    .increment();
        }
    }

    /** host[:port] of an oci:// URL. */
    static String registryOf(String url) {
        String rest = url.startsWith("oci://") ? url.substring("oci://".length()) : url;
        int slash = rest.indexOf('/');
        return slash < 0 ? rest : rest.substring(0, slash);
    }
}
