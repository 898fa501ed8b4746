package io.helmoci.operator.source;

import io.helmoci.engine.ChartArchive;
import io.helmoci.engine.ChartPuller;
import io.helmoci.engine.PullRequest;
import io.helmoci.engine.Resolution;
import io.helmoci.engine.chart.ChartMetadata;
import io.helmoci.engine.reference.OciReference;
import io.helmoci.engine.registry.Credentials;
import io.helmoci.engine.registry.Descriptor;
import io.helmoci.engine.registry.DockerConfigCredentials;
import io.helmoci.engine.registry.ProxyRules;
import io.helmoci.engine.registry.RegistryOptions;
import io.helmoci.engine.registry.TransportOptions;
import io.helmoci.operator.api.v1alpha1.ChartDependency;
import io.helmoci.operator.api.v1alpha1.ChartInfo;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** {@link ChartSource} backed by the engine's {@link ChartPuller}. A thin mapping, nothing more; its store is the {@link EngineArtifactStore}'s. */
public final class EngineChartSource implements ChartSource, AutoCloseable {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

    private final ChartPuller puller;
    private final ProxyRules environmentProxy;

    public EngineChartSource(ChartPuller puller) {
        this(puller, null);
    }

    /** @param environmentProxy the operator's HTTPS_PROXY/HTTP_PROXY/NO_PROXY; null = none set (the JVM's defaults) */
    public EngineChartSource(ChartPuller puller, ProxyRules environmentProxy) {
        this.puller = puller;
        this.environmentProxy = environmentProxy;
    }

    @Override
    public ResolvedChart resolve(ChartRequest request) {
        return resolve(request, null);
    }

    @Override
    public ResolvedChart resolve(ChartRequest request, java.time.Instant acceptSince) {
        OciReference reference = OciReference.parse(request.url());
        Resolution resolution = puller.inspect(
                new PullRequest(reference, request.version(), request.digest(), false, options(reference, request)),
                acceptSince);
        Descriptor layer = resolution.chartLayer();
        return new ResolvedChart(
                resolution.version(),
                resolution.tag(),
                resolution.manifestDigest(),
                new ChartLayer(layer.digest(), layer.size(), layer.mediaType()),
                chartInfo(resolution.chart()),
                resolution.availableVersions(),
                resolution.warnings());
    }

    @Override
    public void forgetSharedAnswersBefore(String url, java.time.Instant instant) {
        puller.forgetSharedAnswersBefore(OciReference.parse(url), instant);
    }

    /** Pulls the resolved chart layer itself, so a tag moved since {@link #resolve} cannot slip other content in. */
    @Override
    public StoredChart pull(ChartRequest request, ChartLayer chartLayer, String version) {
        OciReference reference = OciReference.parse(request.url());
        ChartArchive archive = puller.pullChartLayer(
                reference,
                new Descriptor(chartLayer.mediaType(), chartLayer.digest(), chartLayer.size()),
                version,
                options(reference, request));
        return new StoredChart(archive.contentDigest(), archive.size(), archive.path());
    }

    /** The chart's name and version go to the provenance check; the manifest comes from the store when resolve put it there. */
    @Override
    public io.helmoci.engine.verify.VerificationResult verify(
            ChartRequest request, ResolvedChart resolved, io.helmoci.engine.verify.VerificationPolicy policy) {
        OciReference reference = OciReference.parse(request.url());
        ChartMetadata chart = resolved.chart() == null
                ? null
                : new ChartMetadata(
                        resolved.chart().getApiVersion(),
                        resolved.chart().getName(),
                        resolved.chart().getVersion(),
                        null,
                        null,
                        null,
                        null,
                        false,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null);
        return puller.verify(reference, resolved.manifestDigest(), null, chart, options(reference, request), policy);
    }

    @Override
    public void close() {
        puller.close();
    }

    private RegistryOptions options(OciReference reference, ChartRequest request) {
        return options(reference, request, environmentProxy);
    }

    /** A resource's spec.proxySecretRef takes every request of that resource; otherwise the operator's environment decides per host. */
    static RegistryOptions options(OciReference reference, ChartRequest request, ProxyRules environmentProxy) {
        RegistryAccess access = request.access();
        Credentials credentials = Credentials.anonymous();
        if (access.cloudCredentials() != null) {
            credentials = access.cloudCredentials();
        } else if (access.hasBasicAuth()) {
            credentials = Credentials.basic(access.username(), access.password());
        } else if (access.dockerConfigJson() != null) {
            credentials = DockerConfigCredentials.fromJson(
                            access.dockerConfigJson().getBytes(StandardCharsets.UTF_8))
                    .forRegistry(reference.registry());
        }
        Duration timeout = request.timeout();
        TransportOptions transport = TransportOptions.builder()
                .timeouts(min(CONNECT_TIMEOUT, timeout), min(READ_TIMEOUT, timeout), timeout)
                .caCertificates(access.caPem())
                .clientCertificate(access.clientCertPem(), access.clientKeyPem())
                .plainHttp(access.plainHttp())
                .proxy(ProxyAccess.rules(access.proxy(), environmentProxy))
                .build();
        return new RegistryOptions(credentials, transport);
    }

    static ChartInfo chartInfo(ChartMetadata metadata) {
        ChartInfo chart = new ChartInfo();
        chart.setApiVersion(metadata.apiVersion());
        chart.setName(metadata.name());
        chart.setVersion(metadata.version());
        chart.setAppVersion(metadata.appVersion());
        chart.setDescription(metadata.description());
        chart.setType(metadata.type());
        chart.setKubeVersion(metadata.kubeVersion());
        chart.setDeprecated(metadata.deprecated() ? Boolean.TRUE : null);
        chart.setDependencies(
                metadata.dependencies().isEmpty()
                        ? null
                        : metadata.dependencies().stream()
                                .map(d -> new ChartDependency(d.name(), d.version(), d.repository(), d.alias()))
                                .toList());
        return chart;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
