package io.helmoci.operator.reconciler;

import io.fabric8.kubernetes.api.model.Condition;
import io.helmoci.engine.EngineException;
import io.helmoci.operator.ConditionReasons;
import io.helmoci.operator.Constants;
import io.helmoci.operator.ReconcileException;
import io.helmoci.operator.ReconcileException.Disposition;
import io.helmoci.operator.api.v1alpha1.HelmOciChart;
import io.helmoci.operator.api.v1alpha1.HelmOciChartStatus;
import io.helmoci.operator.artifacts.ArtifactRetention;
import io.helmoci.operator.artifacts.ArtifactUrls;
import io.helmoci.operator.credentials.ObjectLookup;
import io.helmoci.operator.events.EventRecorder;
import io.helmoci.operator.fairness.ReconcileDurations;
import io.helmoci.operator.identity.WorkloadIdentity;
import io.helmoci.operator.source.ArtifactStore;
import io.helmoci.operator.source.ChartSource;
import io.helmoci.operator.source.ResolvedChart;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.jboss.logging.Logger;

/**
 * One reconciliation of a HelmOciChart as a list of {@link SyncStep}s over one {@link SyncContext},
 * in the manner of Flux's source-controller: checkSuspend, reportProgressOnNewGeneration,
 * readCredentials, resolve, reportResolutionWarnings, verifyDigestPin, detectTagMoved, pullIfNotStored, publishArtifact,
 * retainSupersededArtifact; then, whatever the outcome, {@link ExternalArtifactPublisher#reflect} mirrors
 * the status onto Flux's ExternalArtifact. Free of java-operator-sdk so it can be tested with a fake
 * {@link ChartSource} and store; {@link HelmOciChartReconciler} adapts it. A superseded archive is never
 * deleted here: it stays served for the retention and the
 * {@link io.helmoci.operator.artifacts.ArtifactCollector} deletes it afterwards.
 */
public final class ChartSync {
    private static final Logger LOG = Logger.getLogger(ChartSync.class);

    /**
     * The status and when to check again (empty: only on the next event).
     *
     * @param statusChanged whether writing the status would change it (see {@link HelmOciChartStatusAggregator}); when
     *                      false, nothing is written to the API server
     */
    public record Outcome(HelmOciChartStatus status, boolean statusChanged, Optional<Duration> requeueAfter) {
        static Outcome of(HelmOciChartStatusAggregator.StatusUpdate update, Optional<Duration> requeueAfter) {
            return new Outcome(update.status(), update.changed(), requeueAfter);
        }
    }

    private final ArtifactStore store;
    private final EventRecorder events;
    private final Clock clock;
    private final List<SyncStep> steps;
    private final ReconcileDurations durations;
    private final ExternalArtifactPublisher externalArtifacts;

    public ChartSync(
            ChartSource source,
            ArtifactStore store,
            ArtifactUrls urls,
            ArtifactRetention retention,
            EventRecorder events,
            Clock clock) {
        this(source, store, urls, retention, events, clock, ReconcileDurations.lenient());
    }

    /** @param durations the interval floor and timeout bounds of the operator's settings */
    public ChartSync(
            ChartSource source,
            ArtifactStore store,
            ArtifactUrls urls,
            ArtifactRetention retention,
            EventRecorder events,
            Clock clock,
            ReconcileDurations durations) {
        this(source, store, urls, retention, events, clock, durations, null, ExternalArtifactPublisher.NONE);
    }

    /**
     * @param identity cloud workload identity for spec.provider aws, azure and gcp; null: every provider is refused
     * @param externalArtifacts publishes the outcome as a Flux ExternalArtifact (issue 12)
     */
    public ChartSync(
            ChartSource source,
            ArtifactStore store,
            ArtifactUrls urls,
            ArtifactRetention retention,
            EventRecorder events,
            Clock clock,
            ReconcileDurations durations,
            WorkloadIdentity identity,
            ExternalArtifactPublisher externalArtifacts) {
        this.externalArtifacts = externalArtifacts;
        this.store = store;
        this.durations = durations;
        this.events = events;
        this.clock = clock;
        this.steps = List.of(
                new CheckSuspend(),
                new ReportProgressOnNewGeneration(),
                new ReadCredentials(durations),
                new ExchangeCloudIdentity(identity),
                new Resolve(source, durations, clock),
                new ReportResolutionWarnings(events),
                new VerifyDigestPin(),
                new VerifySignature(source),
                new DetectTagMoved(events),
                new PullIfNotStored(source, store),
                new PublishArtifact(urls, events),
                new RetainSupersededArtifact(retention));
    }

    /**
     * Runs the steps. Throws {@link ReconcileException} on failure; {@link #failed} then builds the status.
     *
     * @param lookup   reads referenced Secrets and ServiceAccounts
     * @param progress writes an intermediate status (Reconciling=True) before slow work on a new generation
     */
    public Outcome reconcile(HelmOciChart resource, ObjectLookup lookup, Consumer<HelmOciChartStatus> progress) {
        Outcome outcome = runSteps(resource, lookup, progress);
        externalArtifacts.reflect(resource, outcome.status());
        return outcome;
    }

    private Outcome runSteps(HelmOciChart resource, ObjectLookup lookup, Consumer<HelmOciChartStatus> progress) {
        SyncContext context =
                new SyncContext(resource, lookup, progress, new HelmOciChartStatusAggregator(resource, clock));
        try {
            for (SyncStep step : steps) {
                Optional<Outcome> stop = step.run(context);
                if (stop.isPresent()) {
                    return stop.get();
                }
            }
        } catch (EngineException e) {
            throw ReconcileException.from(e);
        }
        context.note(durations.note(
                resource.getSpec().getInterval(), resource.getSpec().getTimeout()));
        String message = readyMessage(context.resolved());
        for (String note : context.notes()) {
            message += (message.endsWith(".") ? " " : ". ") + note;
        }
        return Outcome.of(context.status().succeeded(message), Optional.of(nextCheck(resource)));
    }

    /** The status after a failure: Ready=False with the reason, everything from the last success kept. */
    public Outcome failed(HelmOciChart resource, ReconcileException failure) {
        HelmOciChartStatusAggregator status = new HelmOciChartStatusAggregator(resource, clock);
        Optional<Condition> previousReady = status.previousCondition(Constants.CONDITION_READY);
        boolean news = previousReady
                .map(c -> !failure.reason().equals(c.getReason())
                        || !failure.getMessage().equals(c.getMessage()))
                .orElse(true);
        if (news) { // once per distinct failure, not on every retry
            events.warning(resource, failure.reason(), failure.getMessage());
        }
        Optional<Duration> requeue =
                failure.disposition() == Disposition.RETRY ? Optional.empty() : Optional.of(nextCheck(resource));
        Outcome outcome = Outcome.of(status.failed(failure), requeue);
        try { // Ready=False onto the ExternalArtifact too; its artifact stays the last good one
            externalArtifacts.reflect(resource, outcome.status());
        } catch (RuntimeException e) {
            LOG.debugf(
                    "ExternalArtifact of %s not updated: %s",
                    resource.getMetadata().getName(), e.getMessage());
        }
        return outcome;
    }

    /** On delete: removes the served archive and the superseded ones, except those another HelmOciChart serves. */
    public void cleanup(HelmOciChart resource, Predicate<String> usedElsewhere) {
        externalArtifacts.remove(resource);
        ArtifactRetention.archiveDigests(resource.getStatus())
                .distinct()
                .forEach(digest -> removeArtifact(resource, digest, usedElsewhere, "the HelmOciChart was deleted"));
    }

    /**
     * When to check the registry again: at the next round of the resource's repository
     * ({@link CheckSchedule}), one interval after the last round; half to one and a half intervals
     * after a resource's first check.
     */
    public Duration nextCheck(HelmOciChart resource) {
        Duration interval = durations.interval(resource.getSpec().getInterval());
        return CheckSchedule.untilNextRound(resource.getSpec().getUrl(), interval, clock.instant());
    }

    private void removeArtifact(
            HelmOciChart resource, String contentDigest, Predicate<String> usedElsewhere, String why) {
        if (usedElsewhere.test(contentDigest)) {
            return;
        }
        try {
            if (store.remove(contentDigest)) {
                events.normal(
                        resource,
                        ConditionReasons.EVENT_ARTIFACT_REMOVED,
                        "Removed artifact " + contentDigest + ": " + why + ".");
            }
        } catch (UncheckedIOException e) {
            LOG.warnf(
                    "Could not remove artifact %s of %s/%s: %s",
                    contentDigest,
                    resource.getMetadata().getNamespace(),
                    resource.getMetadata().getName(),
                    e.getCause().getMessage());
        }
    }

    /** What is served, and what the resolution warned about (the user may never read the events). */
    static String readyMessage(ResolvedChart resolved) {
        String serving = "Serving " + resolved.chart().getName() + " " + resolved.version() + " ("
                + shortDigestWithAlgorithm(resolved.manifestDigest()) + ")";
        return resolved.warnings().isEmpty()
                ? serving
                : serving + ". Warning: " + String.join(" ", resolved.warnings());
    }

    private static String shortDigestWithAlgorithm(String digest) {
        int colon = digest.indexOf(':');
        return digest.substring(0, colon + 1) + HelmOciChartStatusAggregator.shortDigest(digest);
    }
}
