package io.helmoci.engine;

import io.helmoci.engine.chart.ChartLimits;
import io.helmoci.engine.chart.ChartMetadata;
import io.helmoci.engine.chart.ChartValidator;
import io.helmoci.engine.reference.OciReference;
import io.helmoci.engine.registry.ChartManifest;
import io.helmoci.engine.registry.Descriptor;
import io.helmoci.engine.registry.ExchangeObserver;
import io.helmoci.engine.registry.ManifestResolver;
import io.helmoci.engine.registry.RegistryBudget;
import io.helmoci.engine.registry.RegistryClient;
import io.helmoci.engine.registry.RegistryOptions;
import io.helmoci.engine.registry.RegistryTransport;
import io.helmoci.engine.registry.RequestSharing;
import io.helmoci.engine.registry.SharedLookups;
import io.helmoci.engine.registry.TagListLimits;
import io.helmoci.engine.store.ContentStore;
import io.helmoci.engine.version.VersionSelector;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

/**
 * Resolves and pulls Helm charts from OCI registries into a content-addressed store. Thread-safe;
 * keep one per process: it shares HTTP connections and bearer tokens across calls.
 *
 * <p>Requests per call, once a token is cached (add one 401 and one token request the first time
 * per registry, repository and credential, and again when the token expires):
 * <ul>
 * <li>exact version or tag: HEAD manifest; then GET manifest and GET config only if not already in
 *     the store; {@link #pull} adds GET chart layer only if not in the store. So a repeated inspect or
 *     pull of an unchanged chart costs one HEAD.</li>
 * <li>range or no version: one tag list (more only if the registry paginates), then as above.</li>
 * <li>digest only: HEAD manifest by digest, then as above.</li>
 * <li>an image index adds its chart manifest (one GET, or one per child without {@code artifactType}).</li>
 * <li>{@link #pullChartLayer} of what {@link #inspect} resolved: GET chart layer only if not in the store; nothing else.</li>
 * </ul>
 * Tags are listed only when a range must be resolved, or to explain a missing version; so
 * {@link Resolution#availableVersions()} is empty for an exact version. The HEAD is sent even when
 * everything is in the store, so the shared store never serves content to a caller whose
 * credentials cannot read it.
 *
 * <p>Callers share requests ({@link SharedLookups}): concurrent resolves of the same tag list, tag
 * or manifest with the same credentials and transport send one request, and answers are reused
 * for the {@link RequestSharing} windows (default: only while in flight). A reused HEAD is one
 * these same credentials received within the window.
 */
public final class ChartPuller implements AutoCloseable {
    private static final int MAX_AVAILABLE_VERSIONS = 10;

    private final RegistryTransport transport;
    private final ContentStore store;
    private final ChartLimits limits;
    private final SharedLookups lookups;

    public ChartPuller(Path storeRoot) {
        this(storeRoot, ChartLimits.defaults());
    }

    public ChartPuller(Path storeRoot, ChartLimits limits) {
        this(storeRoot, limits, Clock.systemUTC(), ExchangeObserver.NONE);
    }

    /**
     * @param clock    token expiry and the store's record of when a blob was last used
     * @param observer told about every HTTP exchange, for metrics
     */
    public ChartPuller(Path storeRoot, ChartLimits limits, Clock clock, ExchangeObserver observer) {
        this(storeRoot, limits, clock, observer, RequestSharing.inFlightOnly(), RegistryBudget.Limits.unlimited());
    }

    /**
     * @param sharing how long tag lists and manifest HEADs are reused across calls with the same credentials
     * @param budget  what each registry host is asked at most (concurrency, rate), and how a 429 pauses it
     */
    public ChartPuller(
            Path storeRoot,
            ChartLimits limits,
            Clock clock,
            ExchangeObserver observer,
            RequestSharing sharing,
            RegistryBudget.Limits budget) {
        this.limits = limits;
        this.lookups = new SharedLookups(sharing, clock);
        this.store = new ContentStore(storeRoot, limits.maxArchiveBytes(), clock, limits.setting("maxArchiveBytes"));
        this.transport = new RegistryTransport(clock, observer, TagListLimits.from(limits), budget);
    }

    /** Resolves version, manifest and config; does not download the chart archive. */
    public Resolution inspect(PullRequest request) {
        return inspect(request, null);
    }

    /**
     * As {@link #inspect(PullRequest)}, and a tag list or manifest HEAD that any caller with the same
     * credentials requested at or after {@code acceptSince} is reused even beyond the
     * {@link RequestSharing} windows (while kept: {@link RequestSharing#keepFor()}). For callers on a
     * common schedule: every check of one round shares one request per tag list and tag.
     *
     * @param acceptSince the start of the caller's current round; null: the windows only
     */
    public Resolution inspect(PullRequest request, java.time.Instant acceptSince) {
        RegistryClient client = transport.open(request.options());
        return resolve(request, client, acceptSince);
    }

    /** Resolves, then downloads (unless already stored), verifies and validates the chart archive. */
    public PullResult pull(PullRequest request) {
        return pull(request, DownloadListener.NONE);
    }

    /** As {@link #pull(PullRequest)}, telling {@code listener} how the chart layer download advances. */
    public PullResult pull(PullRequest request, DownloadListener listener) {
        RegistryClient client = transport.open(request.options());
        Resolution resolution = resolve(request, client, null);
        Descriptor layer = resolution.chartLayer();
        ChartArchive archive = download(
                client,
                request.reference(),
                layer,
                resolution.chart(),
                resolution.tag() == null ? null : resolution.version(),
                listener);
        return new PullResult(resolution, layer.digest(), layer.size(), archive.path(), archive.chart());
    }

    /**
     * Downloads (unless already stored) exactly the chart layer an earlier {@link #inspect} returned,
     * verified against the layer's digest and size (so the bytes are those of the manifest the tag
     * named), and validates the archive: its Chart.yaml must name the repository's chart and, when
     * given, {@code version}. No manifest request: what was resolved is not resolved again. The
     * blob request (none when stored) goes with the caller's credentials.
     *
     * @param repository the chart repository (a tag or digest on it is ignored)
     * @param chartLayer the resolution's {@link Resolution#chartLayer()}; its media type may be null
     * @param version    the version the archive must hold (the resolution's), or null to check the name only
     */
    public ChartArchive pullChartLayer(
            OciReference repository, Descriptor chartLayer, String version, RegistryOptions options) {
        RegistryClient client = transport.open(options);
        return download(client, repository, chartLayer, null, version, DownloadListener.NONE);
    }

    private ChartArchive download(
            RegistryClient client,
            OciReference ref,
            Descriptor layer,
            ChartMetadata config,
            String version,
            DownloadListener listener) {
        Path archive =
                store.fetch(layer, () -> new ProgressInputStream(client.openBlob(ref, layer), listener, layer.size()));
        ChartMetadata fromArchive = new ChartValidator(limits).validate(archive);
        ChartValidator.checkAgreement(fromArchive, config, ref.chartName(), version);
        return new ChartArchive(layer.digest(), layer.size(), archive, fromArchive);
    }

    /**
     * Forgets the shared answers (tag list, tag digests) of {@code reference}'s repository obtained
     * before {@code instant}: the registry announced a push then, so the next resolve asks again.
     */
    public void forgetSharedAnswersBefore(OciReference reference, java.time.Instant instant) {
        lookups.forgetBefore(reference, instant);
    }

    /**
     * The repository's versions, newest first (at most 10): semver tags only, {@code _} read as
     * {@code +}. One tag listing; for discovery, where {@link Resolution#availableVersions()} is empty
     * because an exact version needed no listing.
     */
    public List<String> availableVersions(PullRequest request) {
        List<String> tags = lookups.tags(
                request.reference(),
                request.options(),
                () -> transport.open(request.options()).listTags(request.reference()));
        return VersionSelector.availableVersions(tags).stream()
                .limit(MAX_AVAILABLE_VERSIONS)
                .toList();
    }

    /**
     * Verifies who signed a resolved chart: the signature of {@code policy}'s provider over the
     * manifest digest the tag resolved to ({@link Resolution#manifestDigest()}). Throws
     * {@link EngineException} with a signature reason when no signature verifies; a malformed policy
     * fails before any request. Registry requests: see {@link io.helmoci.engine.verify.SignatureSource};
     * the chart manifest comes from the store when the resolution put it there.
     */
    public io.helmoci.engine.verify.VerificationResult verify(
            PullRequest request, Resolution resolution, io.helmoci.engine.verify.VerificationPolicy policy) {
        return verify(
                request.reference(),
                resolution.manifestDigest(),
                resolution.manifestMediaType(),
                resolution.chart(),
                request.options(),
                policy);
    }

    /**
     * As {@link #verify(PullRequest, Resolution, io.helmoci.engine.verify.VerificationPolicy)} for a
     * manifest digest resolved earlier (the operator keeps the digest, not the resolution).
     *
     * @param mediaType the manifest's media type, or null to take it from the manifest
     * @param chart     the resolved chart's name and version, which a provenance file must agree with; may be null
     */
    public io.helmoci.engine.verify.VerificationResult verify(
            OciReference ref,
            String manifestDigest,
            String mediaType,
            ChartMetadata chart,
            RegistryOptions options,
            io.helmoci.engine.verify.VerificationPolicy policy) {
        io.helmoci.engine.verify.SignatureVerifier verifier =
                io.helmoci.engine.verify.SignatureVerifier.forPolicy(policy);
        RegistryClient client = transport.open(options);
        io.helmoci.engine.registry.Digest digest =
                io.helmoci.engine.registry.Digest.parse(manifestDigest, "the resolved manifest");
        byte[] manifest = store.readSmall(digest, -1, RegistryClient.MAX_METADATA_BYTES)
                .orElseGet(() -> client.getManifest(ref, new Descriptor(mediaType, manifestDigest, -1))
                        .bytes());
        String type = mediaType != null ? mediaType : manifestMediaType(manifest);
        Descriptor subject = new Descriptor(type, manifestDigest, manifest.length);
        return verifier.verify(new io.helmoci.engine.verify.SignatureSource(client, ref, subject, chart, manifest));
    }

    private static String manifestMediaType(byte[] manifest) {
        try {
            com.fasterxml.jackson.databind.JsonNode type = new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(manifest)
                    .get("mediaType");
            return type != null && type.isTextual() ? type.asText() : null;
        } catch (java.io.IOException e) {
            return null;
        }
    }

    public ContentStore store() {
        return store;
    }

    /** HTTP exchanges sent so far (for politeness checks and metrics). */
    public long requestCount() {
        return transport.requestCount();
    }

    private Resolution resolve(PullRequest request, RegistryClient client, java.time.Instant acceptSince) {
        OciReference ref = request.reference();
        String pin = pin(request);
        String requestedVersion = requestedVersion(request);
        ManifestResolver resolver = new ManifestResolver(client, store);
        RegistryOptions options = request.options();

        String tag = null;
        String version = null;
        List<String> available = List.of();
        Descriptor root;
        if (requestedVersion == null && pin != null) {
            root = lookups.head(
                    ref, options, pin, acceptSince, () -> resolver.head(ref, pin)); // digest only: no tag, no listing
        } else if (requestedVersion != null && VersionSelector.isExactVersion(requestedVersion)) {
            version = requestedVersion;
            String exactTag = VersionSelector.tagFor(version);
            tag = exactTag;
            root = lookups.head(ref, options, exactTag, acceptSince, () -> resolver.head(ref, exactTag));
        } else {
            List<String> tags = lookups.tags(ref, options, acceptSince, () -> client.listTags(ref));
            VersionSelector.Selection selection =
                    VersionSelector.select(tags, requestedVersion, request.includePrereleases());
            version = selection.version();
            String selectedTag = selection.tag();
            tag = selectedTag;
            available = VersionSelector.availableVersions(tags).stream()
                    .limit(MAX_AVAILABLE_VERSIONS)
                    .toList();
            root = lookups.head(ref, options, selectedTag, acceptSince, () -> resolver.head(ref, selectedTag));
        }
        if (pin != null && !pin.equals(root.digest())) {
            throw new EngineException(
                    Reason.DigestMismatch,
                    "Tag " + tag + " of " + ref.registry() + "/" + ref.repository()
                            + " points to " + root.digest() + ", not to the pinned digest " + pin
                            + ". Update the pin if the tag was moved on purpose, or fix the tag.");
        }
        Descriptor resolvedRoot = root;
        ChartManifest chart = lookups.chart(ref, options, root.digest(), () -> resolver.resolve(ref, resolvedRoot));
        if (version == null) {
            version = chart.chart().version();
        }
        ChartValidator.checkConfigAgreement(chart.chart(), ref.chartName(), tag, ref.repositoryUrl());
        return new Resolution(
                ref,
                version,
                tag,
                root.digest(),
                root.mediaType(),
                ref.pinned(root.digest()),
                chart.config().mediaType(),
                chart.layerMediaTypes(),
                chart.chartLayer(),
                chart.chart(),
                available,
                chart.warnings());
    }

    private static String pin(PullRequest request) {
        String fromReference = request.reference().digest();
        String fromRequest = request.digest();
        if (fromReference != null && fromRequest != null && !fromReference.equals(fromRequest)) {
            throw new EngineException(
                    Reason.InvalidReference,
                    "The reference pins " + fromReference + " but the request pins " + fromRequest
                            + ". Give one digest.");
        }
        String pin = fromRequest != null ? fromRequest : fromReference;
        if (pin != null && io.helmoci.engine.registry.Digest.parseOrNull(pin) == null) {
            throw new EngineException(
                    Reason.InvalidReference,
                    "The digest '" + pin + "' is not sha256:<64 lower-case hex> or sha512:<128 lower-case hex>.");
        }
        return pin;
    }

    /** The version asked for: the request's, else the reference's tag; both must agree (as in Helm). */
    private static String requestedVersion(PullRequest request) {
        String tag = request.reference().tag();
        String fromTag = tag == null ? null : VersionSelector.versionFor(tag);
        if (request.version() != null && fromTag != null && !request.version().equals(fromTag)) {
            throw new EngineException(
                    Reason.InvalidReference,
                    "The reference's tag " + tag + " and the version " + request.version()
                            + " disagree. Give the version in one place.");
        }
        return request.version() != null ? request.version() : fromTag;
    }

    @Override
    public void close() {
        transport.close();
    }
}
