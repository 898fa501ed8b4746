package io.helmoci.operator.reconciler;

import io.fabric8.kubernetes.api.model.Condition;
import io.helmoci.engine.GoDuration;
import io.helmoci.engine.EngineException;
import io.helmoci.operator.ConditionReasons;
import io.helmoci.operator.Constants;
import io.helmoci.operator.ReconcileException;
import io.helmoci.operator.ReconcileException.Disposition;
import io.helmoci.operator.api.v1alpha1.Artifact;
import io.helmoci.operator.api.v1alpha1.HelmOciChart;
import io.helmoci.operator.api.v1alpha1.HelmOciChartSpec;
import io.helmoci.operator.api.v1alpha1.HelmOciChartStatus;
import io.helmoci.operator.api.v1alpha1.SupersededArtifact;
import io.helmoci.operator.artifacts.ArtifactRetention;
import io.helmoci.operator.artifacts.ArtifactUrls;
import io.helmoci.operator.credentials.CredentialsReader;
import io.helmoci.operator.credentials.ObjectLookup;
import io.helmoci.operator.events.EventRecorder;
import io.helmoci.operator.fairness.ReconcileDurations;
import io.helmoci.operator.source.ChartRequest;
import io.helmoci.operator.source.ChartSource;
import io.helmoci.operator.source.RegistryAccess;
import io.helmoci.operator.source.ResolvedChart;
import io.helmoci.operator.source.StoredChart;
import org.jboss.logging.Logger;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * One reconciliation of a HelmOciChart as a sequence of named steps, in the manner of Flux's
 * source-controller: checkSuspend, readCredentials, resolve, verifyDigestPin, detectTagMoved,
 * pullIfNotStored, publishArtifact, retainSupersededArtifact. Free of java-operator-sdk so it can
 * be tested with a fake {@link ChartSource}; {@link HelmOciChartReconciler} adapts it. A superseded
 * archive is never deleted here: it stays served for the retention and the
 * {@link io.helmoci.operator.artifacts.ArtifactCollector} deletes it afterwards.
 */
public final class ChartSync {
    static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(10);
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
    static final Duration MIN_DURATION = Duration.ofSeconds(1);
    /** Requeue after interval plus up to this fraction of it, so resources created together do not hit the registry together. */
    static final double JITTER = 0.1;

    private static final Logger LOG = Logger.getLogger(ChartSync.class);

    /** The status to write and when to check again (empty: only on the next event). */
    public record Outcome(HelmOciChartStatus status, Optional<Duration> requeueAfter) {
    }

    private final ChartSource source;
    private final ArtifactUrls urls;
    private final ArtifactRetention retention;
    private final EventRecorder events;
    private final Clock clock;
    private final ReconcileDurations durations;

    public ChartSync(ChartSource source, ArtifactUrls urls, ArtifactRetention retention, EventRecorder events, Clock clock) {
        this(source, urls, retention, events, clock, ReconcileDurations.lenient());
    }

    /** @param durations the interval floor and timeout bounds of the operator's settings */
    public ChartSync(ChartSource source, ArtifactUrls urls, ArtifactRetention retention, EventRecorder events, Clock clock,
                     ReconcileDurations durations) {
        this.durations = durations;
        this.source = source;
        this.urls = urls;
        this.retention = retention;
        this.events = events;
        this.clock = clock;
    }

    /**
     * Runs the steps. Throws {@link ReconcileException} (or an engine or client exception) on
     * failure; {@link #failed} then builds the status.
     *
     * @param lookup   reads referenced Secrets and ServiceAccounts
     * @param progress writes an intermediate status (Reconciling=True) before slow work on a new generation
     */
    public Outcome reconcile(HelmOciChart resource, ObjectLookup lookup, Consumer<HelmOciChartStatus> progress) {
        HelmOciChartStatusAggregator status = new HelmOciChartStatusAggregator(resource, clock)
                .handledRequest(requestedAt(resource));
        if (checkSuspend(resource)) {
            return new Outcome(status.suspended(), Optional.empty());
        }
        reportProgressOnNewGeneration(resource, status, progress);
        RegistryAccess access = readCredentials(resource, lookup);
        ChartRequest request = chartRequest(resource, access);
        ResolvedChart resolved = resolve(request);
        status.status().setLastCheckedTime(status.now());
        verifyDigestPin(resource, resolved);
        detectTagMoved(resource, resolved, status.status());
        StoredChart stored = pullIfNotStored(request, resolved);
        SupersededArtifact replaced = publishArtifact(resource, resolved, stored, status);
        retainSupersededArtifact(status.status(), replaced);
        String note = durations.note(resource.getSpec().getInterval(), resource.getSpec().getTimeout());
        return new Outcome(status.succeeded(readyMessage(resolved) + (note.isEmpty() ? "" : ". " + note)), Optional.of(nextCheck(resource)));
    }

    /** The status after a failure: Ready=False with the reason, everything from the last success kept. */
    public Outcome failed(HelmOciChart resource, ReconcileException failure) {
        HelmOciChartStatusAggregator status = new HelmOciChartStatusAggregator(resource, clock)
                .handledRequest(requestedAt(resource));
        Optional<Condition> previousReady = status.condition(Constants.CONDITION_READY);
        HelmOciChartStatus next = status.failed(failure);
        next.setSupersededArtifacts(ArtifactRetention.live(next.getSupersededArtifacts(), clock.instant()));
        boolean news = previousReady.map(c -> !failure.reason().equals(c.getReason()) || !failure.getMessage().equals(c.getMessage()))
                .orElse(true);
        if (news) { // once per distinct failure, not on every retry
            events.warning(resource, failure.reason(), failure.getMessage());
        }
        Optional<Duration> requeue = failure.disposition() == Disposition.RETRY ? Optional.empty() : Optional.of(nextCheck(resource));
        return new Outcome(next, requeue);
    }

    /** On delete: removes the served archive and the superseded ones, except those another HelmOciChart serves. */
    public void cleanup(HelmOciChart resource, Predicate<String> usedElsewhere) {
        ArtifactRetention.archiveDigests(resource.getStatus()).distinct()
                .forEach(digest -> removeArtifact(resource, digest, usedElsewhere, "the HelmOciChart was deleted"));
    }

    /** When to check the registry again: spec.interval plus a little jitter. */
    public Duration nextCheck(HelmOciChart resource) {
        Duration interval = durations.interval(resource.getSpec().getInterval());
        long jitterMillis = (long) (interval.toMillis() * JITTER * ThreadLocalRandom.current().nextDouble());
        return interval.plusMillis(jitterMillis);
    }

    // ---- the steps ----

    private static boolean checkSuspend(HelmOciChart resource) {
        return Boolean.TRUE.equals(resource.getSpec().getSuspend());
    }

    private static void reportProgressOnNewGeneration(HelmOciChart resource, HelmOciChartStatusAggregator status,
                                                      Consumer<HelmOciChartStatus> progress) {
        HelmOciChartStatus previous = resource.getStatus();
        Long generation = resource.getMetadata().getGeneration();
        if (previous == null || !Objects.equals(previous.getObservedGeneration(), generation)) {
            progress.accept(status.progressing());
        }
    }

    private static RegistryAccess readCredentials(HelmOciChart resource, ObjectLookup lookup) {
        return new CredentialsReader(lookup).read(resource);
    }

    private ChartRequest chartRequest(HelmOciChart resource, RegistryAccess access) {
        HelmOciChartSpec spec = resource.getSpec();
        Duration timeout = durations.timeout(spec.getTimeout());
        return new ChartRequest(spec.getUrl(), spec.getVersion(), spec.getDigest(), access, timeout);
    }

    private ResolvedChart resolve(ChartRequest request) {
        try {
            return source.resolve(request);
        } catch (EngineException e) {
            throw ReconcileException.from(e);
        }
    }

    /** The engine checks the pin too; checked here again because publishing unpinned content would be worse than a duplicate check. */
    private static void verifyDigestPin(HelmOciChart resource, ResolvedChart resolved) {
        String pin = resource.getSpec().getDigest();
        if (pin != null && !pin.isBlank() && !pin.equals(resolved.manifestDigest())) {
            throw new ReconcileException(ConditionReasons.of(io.helmoci.engine.Reason.DigestMismatch),
                    "Version " + resolved.version() + " of " + resource.getSpec().getUrl() + " resolves to " + resolved.manifestDigest()
                            + ", not to the pinned digest " + pin + ": update spec.digest if the tag was moved on purpose, or fix the tag.",
                    Disposition.STALLED);
        }
    }

    /** Same version, same repository, different manifest: the tag was moved (re-pushed) to other content. */
    private void detectTagMoved(HelmOciChart resource, ResolvedChart resolved, HelmOciChartStatus status) {
        String previousDigest = status.getManifestDigest();
        boolean sameVersion = resolved.version().equals(status.getResolvedVersion());
        if (!sameVersion || !sameRepository(status, resource.getSpec().getUrl())) {
            status.setPreviousManifestDigest(null);
            return;
        }
        if (previousDigest != null && !previousDigest.equals(resolved.manifestDigest())) {
            status.setPreviousManifestDigest(previousDigest);
            events.warning(resource, ConditionReasons.EVENT_TAG_MOVED, "Tag " + resolved.tag() + " of " + resource.getSpec().getUrl()
                    + " moved from " + previousDigest + " to " + resolved.manifestDigest()
                    + ": the same version now has different content. Pin spec.digest to refuse such changes.");
        }
    }

    private StoredChart pullIfNotStored(ChartRequest request, ResolvedChart resolved) {
        Optional<Path> stored = source.stored(resolved.contentDigest(), resolved.size());
        if (stored.isPresent()) {
            return new StoredChart(resolved.contentDigest(), resolved.size(), stored.get());
        }
        try {
            StoredChart pulled = source.pull(request, resolved);
            if (!pulled.contentDigest().equals(resolved.contentDigest())) {
                throw new IllegalStateException("pulled " + pulled.contentDigest() + " instead of " + resolved.contentDigest());
            }
            return pulled;
        } catch (EngineException e) {
            throw ReconcileException.from(e);
        } catch (UncheckedIOException e) {
            throw new ReconcileException(ConditionReasons.STORAGE_FAILED,
                    "Could not write the chart to the operator's store: " + e.getCause().getMessage()
                            + ". Check the volume mounted for the store (space, permissions).", Disposition.RETRY, e);
        }
    }

    /** Writes the result into the status; returns the archive it replaced (without expiry), if the content changed. */
    private SupersededArtifact publishArtifact(HelmOciChart resource, ResolvedChart resolved, StoredChart stored,
                                               HelmOciChartStatusAggregator aggregator) {
        HelmOciChartStatus status = aggregator.status();
        Artifact previous = status.getArtifact();
        String previousManifest = status.getManifestDigest();
        String namespace = resource.getMetadata().getNamespace();
        String name = resource.getMetadata().getName();
        boolean newContent = !stored.contentDigest().equals(status.getContentDigest());
        boolean sameRepository = sameRepository(status, resource.getSpec().getUrl());

        status.setResolvedVersion(resolved.version());
        status.setTag(resolved.tag());
        status.setManifestDigest(resolved.manifestDigest());
        status.setShortDigest(shortDigest(resolved.manifestDigest()));
        status.setResolvedRef(resource.getSpec().getUrl() + "@" + resolved.manifestDigest());
        status.setChart(resolved.chart());
        if (!resolved.availableVersions().isEmpty()) {
            status.setAvailableVersions(resolved.availableVersions());
        } else if (!sameRepository) {
            status.setAvailableVersions(null);
        }
        status.setContentDigest(stored.contentDigest());

        Artifact artifact = new Artifact();
        artifact.setUrl(urls.artifactUrl(namespace, name, resolved.chart().getName(), resolved.version()));
        artifact.setDigest(stored.contentDigest());
        artifact.setSize(stored.size());
        artifact.setLastUpdateTime(newContent || previous == null ? aggregator.now() : previous.getLastUpdateTime());
        status.setArtifact(artifact);

        if (!newContent) {
            return null;
        }
        events.normal(resource, ConditionReasons.EVENT_NEW_ARTIFACT, "Pulled " + resolved.chart().getName() + " " + resolved.version()
                + " (" + stored.contentDigest() + ", " + stored.size() + " bytes) from " + resource.getSpec().getUrl()
                + "; served at " + artifact.getUrl());
        return previous == null ? null
                : new SupersededArtifact(previous.getUrl(), previous.getDigest(), previousManifest, previous.getSize(), null);
    }

    /**
     * The replaced archive stays served at its URL for the retention (a client may have just read it);
     * expired entries drop out of the status. Deleting files is the collector's job.
     */
    private void retainSupersededArtifact(HelmOciChartStatus status, SupersededArtifact replaced) {
        status.setSupersededArtifacts(retention.supersede(status.getSupersededArtifacts(), replaced,
                status.getArtifact(), clock.instant()));
    }

    private void removeArtifact(HelmOciChart resource, String contentDigest, Predicate<String> usedElsewhere, String why) {
        if (usedElsewhere.test(contentDigest)) {
            return;
        }
        try {
            if (source.remove(contentDigest)) {
                events.normal(resource, ConditionReasons.EVENT_ARTIFACT_REMOVED, "Removed artifact " + contentDigest + ": " + why + ".");
            }
        } catch (UncheckedIOException e) {
            LOG.warnf("Could not remove artifact %s of %s/%s: %s", contentDigest, resource.getMetadata().getNamespace(),
                    resource.getMetadata().getName(), e.getCause().getMessage());
        }
    }

    // ---- helpers ----

    private static String requestedAt(HelmOciChart resource) {
        var annotations = resource.getMetadata().getAnnotations();
        return annotations == null ? null : annotations.get(Constants.REQUESTED_AT_ANNOTATION);
    }

    /** Whether the previous result came from the same repository (the spec may have moved to another chart). */
    private static boolean sameRepository(HelmOciChartStatus status, String url) {
        return status.getResolvedRef() != null && status.getResolvedRef().startsWith(url + "@");
    }

    static String shortDigest(String digest) {
        int colon = digest.indexOf(':');
        String hex = digest.substring(colon + 1);
        return hex.length() > 12 ? hex.substring(0, 12) : hex;
    }

    private static String readyMessage(ResolvedChart resolved) {
        return "Serving " + resolved.chart().getName() + " " + resolved.version() + " (" + shortDigestWithAlgorithm(resolved.manifestDigest()) + ")";
    }

    private static String shortDigestWithAlgorithm(String digest) {
        int colon = digest.indexOf(':');
        return digest.substring(0, colon + 1) + shortDigest(digest);
    }

    private static Duration atLeastMinimum(Duration duration) {
        return duration.compareTo(MIN_DURATION) < 0 ? MIN_DURATION : duration;
    }
}
