package io.helmoci.operator.reconciler;

import io.helmoci.engine.EngineException;
import io.helmoci.engine.Reason;
import io.helmoci.engine.registry.Digest;
import io.helmoci.engine.store.ContentStore;
import io.helmoci.operator.api.v1alpha1.ChartInfo;
import io.helmoci.operator.source.ChartLayer;
import io.helmoci.operator.source.ChartRequest;
import io.helmoci.operator.source.ChartSource;
import io.helmoci.operator.source.ResolvedChart;
import io.helmoci.operator.source.StoredChart;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An in-memory registry that pulls into a real content store, for reconciler unit tests only:
 * "push" versions, move tags, inject failures, count requests. Exact versions or the newest; no ranges.
 */
final class FakeChartSource implements ChartSource {
    private record Pushed(String manifestDigest, byte[] content) {}

    private final Map<String, Map<String, Pushed>> repositories = new LinkedHashMap<>();
    private final ContentStore store;
    final List<ChartRequest> resolveRequests = new ArrayList<>();
    final List<ChartRequest> pullRequests = new ArrayList<>();
    /** url@instant of every forgetSharedAnswersBefore call. */
    final List<String> forgotten = new ArrayList<>();

    private EngineException nextFailure;
    List<String> warnings = List.of();

    /** @param store where pulls write, as the engine's puller writes into its store */
    FakeChartSource(ContentStore store) {
        this.store = store;
    }

    /** Pushes (or re-pushes, moving the tag) a chart version whose archive is the given text. */
    String push(String url, String version, String archiveText) {
        byte[] content = archiveText.getBytes(StandardCharsets.UTF_8);
        String manifestDigest =
                sha256(("manifest:" + url + ":" + version + ":" + archiveText).getBytes(StandardCharsets.UTF_8));
        repositories.computeIfAbsent(url, u -> new LinkedHashMap<>()).put(version, new Pushed(manifestDigest, content));
        return manifestDigest;
    }

    void failNext(Reason reason, String message) {
        nextFailure = new EngineException(reason, message);
    }

    int requests() {
        return resolveRequests.size() + pullRequests.size();
    }

    @Override
    public ResolvedChart resolve(ChartRequest request) {
        resolveRequests.add(request);
        failIfAsked();
        Map<String, Pushed> versions = repositories.get(request.url());
        if (versions == null) {
            throw new EngineException(Reason.RepositoryNotFound, "No repository " + request.url());
        }
        List<String> newestFirst =
                versions.keySet().stream().sorted(Comparator.reverseOrder()).toList();
        String version = request.version() != null ? request.version() : newestFirst.get(0);
        Pushed pushed = versions.get(version);
        if (pushed == null) {
            throw new EngineException(Reason.VersionNotFound, "No version " + version + "; available: " + newestFirst);
        }
        if (request.digest() != null && !request.digest().equals(pushed.manifestDigest())) {
            throw new EngineException(
                    Reason.DigestMismatch,
                    "Tag " + version + " points to " + pushed.manifestDigest() + ", not " + request.digest());
        }
        ChartInfo chart = new ChartInfo();
        chart.setApiVersion("v2");
        chart.setName(request.url().substring(request.url().lastIndexOf('/') + 1));
        chart.setVersion(version);
        chart.setAppVersion("app-" + version);
        chart.setDescription("A test chart");
        chart.setType("application");
        return new ResolvedChart(
                version,
                version.replace('+', '_'),
                pushed.manifestDigest(),
                new ChartLayer(
                        sha256(pushed.content()),
                        pushed.content().length,
                        "application/vnd.cncf.helm.chart.content.v1.tar+gzip"),
                chart,
                request.version() == null ? newestFirst : List.of(),
                warnings);
    }

    /** Signatures are verified against real registries only (the verification ITs); the fake has none to offer. */
    @Override
    public io.helmoci.engine.verify.VerificationResult verify(
            ChartRequest request, ResolvedChart resolved, io.helmoci.engine.verify.VerificationPolicy policy) {
        throw new io.helmoci.engine.EngineException(
                io.helmoci.engine.Reason.SignatureNotFound, "the fake registry has no signatures");
    }

    @Override
    public StoredChart pull(ChartRequest request, ChartLayer chartLayer, String version) {
        pullRequests.add(request);
        failIfAsked();
        Pushed pushed = repositories.getOrDefault(request.url(), Map.of()).values().stream()
                .filter(p -> sha256(p.content()).equals(chartLayer.digest()))
                .findFirst()
                .orElseThrow(() -> new EngineException(Reason.RegistryUnavailable, "blob gone"));
        Path file = store.put(Digest.parse(chartLayer.digest(), "test"), pushed.content());
        return new StoredChart(chartLayer.digest(), pushed.content().length, file);
    }

    boolean has(String contentDigest) {
        return Files.isRegularFile(store.pathOf(Digest.parse(contentDigest, "test")));
    }

    private void failIfAsked() {
        if (nextFailure != null) {
            EngineException failure = nextFailure;
            nextFailure = null;
            throw failure;
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return "sha256:"
                    + HexFormat.of()
                            .formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void forgetSharedAnswersBefore(String url, java.time.Instant instant) {
        forgotten.add(url + "@" + instant);
    }
}
