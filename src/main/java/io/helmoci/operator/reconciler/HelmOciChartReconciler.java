package io.helmoci.operator.reconciler;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.helmoci.operator.ConditionReasons;
import io.helmoci.operator.Constants;
import io.helmoci.operator.ReconcileException;
import io.helmoci.operator.ReconcileException.Disposition;
import io.helmoci.operator.api.v1alpha1.HelmOciChart;
import io.helmoci.operator.api.v1alpha1.HelmOciChartStatus;
import io.helmoci.operator.artifacts.ArtifactRetention;
import io.helmoci.operator.config.OperatorConfig;
import io.helmoci.operator.config.ShardSelector;
import io.helmoci.operator.credentials.CredentialsReader;
import io.helmoci.operator.credentials.MissingPullSecrets;
import io.helmoci.operator.credentials.ObjectLookup;
import io.helmoci.operator.fairness.CapacityWait;
import io.helmoci.operator.fairness.WorkLimiter;
import io.javaoperatorsdk.operator.api.config.ControllerConfigurationOverrider;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.RetryInfo;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.retry.GradualRetry;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkiverse.operatorsdk.runtime.api.ConfigurableReconciler;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.jboss.logging.Logger;

/**
 * Adapts {@link ChartSync} to java-operator-sdk: status by server-side apply (none when nothing would change), failures through
 * {@link #updateErrorStatus} (transient ones retried with exponential backoff, the others checked
 * again after spec.interval), the artifact removed on delete, and Secrets and ServiceAccounts
 * watched so that creating or rotating one reconciles the HelmOciCharts that use it at once.
 */
@ControllerConfiguration(
        name = Constants.FIELD_MANAGER,
        fieldManager = Constants.FIELD_MANAGER,
        finalizerName = Constants.FINALIZER,
        generationAwareEventProcessing = false,
        informer = @Informer(onUpdateFilter = RelevantChangeFilter.class))
@GradualRetry(maxAttempts = -1, initialInterval = 2_000, intervalMultiplier = 2.0, maxInterval = 300_000)
public class HelmOciChartReconciler
        implements Reconciler<HelmOciChart>, Cleaner<HelmOciChart>, ConfigurableReconciler<HelmOciChart> {
    private static final Logger LOG = Logger.getLogger(HelmOciChartReconciler.class);
    /** How long a worker waits for a free slot of the resource's registry and namespace before refusing it. */
    static final Duration CAPACITY_WAIT = Duration.ofSeconds(1);

    private final ChartSync sync;
    private final MeterRegistry meters;
    private final WorkLimiter limiter;
    private final OperatorConfig config;

    public HelmOciChartReconciler(ChartSync sync, MeterRegistry meters, WorkLimiter limiter, OperatorConfig config) {
        this.sync = sync;
        this.meters = meters;
        this.limiter = limiter;
        this.config = config;
    }

    /** Sharding: the informer only sees this shard's HelmOciCharts (a label selector, so the cache holds no others). */
    @Override
    public void updateConfigurationFrom(ControllerConfigurationOverrider<HelmOciChart> overrider) {
        String selector = ShardSelector.of(config.sharding().key());
        LOG.infof("Reconciling the HelmOciCharts matching the label selector %s", selector);
        overrider.withLabelSelector(selector);
    }

    @Override
    public List<EventSource<?, HelmOciChart>> prepareEventSources(EventSourceContext<HelmOciChart> context) {
        return ReferencedObjects.eventSources(context);
    }

    @Override
    public UpdateControl<HelmOciChart> reconcile(HelmOciChart resource, Context<HelmOciChart> context) {
        WorkLimiter.Admission admission =
                limiter.enter(registryOf(resource), resource.getMetadata().getNamespace(), CAPACITY_WAIT);
        if (!admission.admitted()) {
            meters.counter("helmoci.reconcile.deferred").increment();
            UpdateControl<HelmOciChart> wait = CapacityWait.status(resource, admission.message(), Clock.systemUTC())
                    .map(status -> UpdateControl.patchStatus(statusPatch(resource, status)))
                    .orElseGet(UpdateControl::noUpdate);
            return wait.rescheduleAfter(CapacityWait.retryAfter());
        }
        try (admission) {
            return reconcileAdmitted(resource, context);
        }
    }

    private static String registryOf(HelmOciChart resource) {
        return WorkLimiter.registryOf(resource.getSpec().getUrl());
    }

    private UpdateControl<HelmOciChart> reconcileAdmitted(HelmOciChart resource, Context<HelmOciChart> context) {
        Timer.Sample sample = Timer.start(meters);
        String result = "error";
        ObjectLookup lookup = lookup(context);
        try (DelayedProgress progress = new DelayedProgress(
                config.reconcile().progressAfter(), snapshot -> writeProgress(resource, snapshot, context))) {
            ChartSync.Outcome outcome = sync.reconcile(resource, lookup, progress);
            result = Boolean.TRUE.equals(resource.getSpec().getSuspend())
                    ? ConditionReasons.SUSPENDED
                    : ConditionReasons.SUCCEEDED;
            UpdateControl<HelmOciChart> control = outcome.statusChanged()
                    ? UpdateControl.patchStatus(statusPatch(resource, outcome.status()))
                    : UpdateControl.noUpdate();
            return outcome.requeueAfter().map(control::rescheduleAfter).orElse(control);
        } catch (RuntimeException e) {
            ReconcileException classified = ReconcileException.from(e);
            ReconcileException failure = MissingPullSecrets.noteOnFailure(
                    classified, () -> new CredentialsReader(lookup).missingPullSecretsNote(resource));
            result = failure.reason();
            throw failure == classified ? e : failure; // unchanged failures go on as thrown
        } catch (Error e) {
            // An Error escaping to java-operator-sdk would end the reconcile without status or retry (the
            // resource stuck Reconciling): as an exception it goes through updateErrorStatus like any other.
            ReconcileException failure = ReconcileException.fromError(e);
            result = failure.reason();
            throw failure;
        } finally {
            sample.stop(meters.timer("helmoci.reconcile.duration", "result", result));
        }
    }

    @Override
    public ErrorStatusUpdateControl<HelmOciChart> updateErrorStatus(
            HelmOciChart resource, Context<HelmOciChart> context, Exception e) {
        ReconcileException failure = ReconcileException.from(e);
        String id = resource.getMetadata().getNamespace() + "/"
                + resource.getMetadata().getName();
        FailureLogging.log(resource, failure, e);
        ChartSync.Outcome outcome;
        try {
            outcome = sync.failed(resource, failure);
        } catch (RuntimeException | Error e2) {
            LOG.errorf(e2, "Building the failed status of %s failed", id);
            return ErrorStatusUpdateControl.<HelmOciChart>noStatusUpdate().rescheduleAfter(sync.nextCheck(resource));
        }
        ErrorStatusUpdateControl<HelmOciChart> control = outcome.statusChanged()
                ? ErrorStatusUpdateControl.patchStatus(statusPatch(resource, outcome.status()))
                : ErrorStatusUpdateControl.noStatusUpdate();
        Optional<Duration> throttledFor = RateLimitRequeue.untilRetryAt(e, Clock.systemUTC());
        if (throttledFor.isPresent()) { // the registry said when: try then, not on the backoff schedule
            return control.withNoRetry().rescheduleAfter(throttledFor.get());
        }
        boolean retriesExhausted =
                context.getRetryInfo().map(RetryInfo::isLastAttempt).orElse(false);
        if (failure.disposition() != Disposition.RETRY || retriesExhausted) {
            return control.withNoRetry()
                    .rescheduleAfter(outcome.requeueAfter().orElseGet(() -> sync.nextCheck(resource)));
        }
        return control;
    }

    @Override
    public DeleteControl cleanup(HelmOciChart resource, Context<HelmOciChart> context) {
        sync.cleanup(resource, usedElsewhere(resource, context));
        return DeleteControl.defaultDelete();
    }

    /** A fresh object with only what server-side apply of the status needs (no resourceVersion: no conflicts). */
    /**
     * Writes a progress report only onto the version this reconciliation started from (a resourceVersion
     * precondition, no retry): a report that would reach the API server after the result, or after anything
     * else changed the resource, fails with 409 and is dropped instead of replacing a newer status
     * (java-operator-sdk's PrimaryUpdateAndCacheUtils retries a conflict by re-applying the report onto the
     * newest version). The report is only a hint; the result is always written.
     */
    private static void writeProgress(
            HelmOciChart resource, HelmOciChartStatus snapshot, Context<HelmOciChart> context) {
        HelmOciChart patch = statusPatch(resource, snapshot);
        patch.getMetadata().setResourceVersion(resource.getMetadata().getResourceVersion());
        context.getClient()
                .resource(patch)
                .subresource("status")
                .patch(new PatchContext.Builder()
                        .withPatchType(PatchType.SERVER_SIDE_APPLY)
                        .withFieldManager(context.getControllerConfiguration().fieldManager())
                        .withForce(true)
                        .build());
    }

    static HelmOciChart statusPatch(HelmOciChart resource, HelmOciChartStatus status) {
        HelmOciChart patch = new HelmOciChart();
        patch.setMetadata(new ObjectMetaBuilder()
                .withName(resource.getMetadata().getName())
                .withNamespace(resource.getMetadata().getNamespace())
                .build());
        patch.setStatus(status);
        return patch;
    }

    /** Referenced objects from the informer caches; a cache miss is confirmed against the API (it may be filtered out of the cache). */
    private static ObjectLookup lookup(Context<HelmOciChart> context) {
        InformerEventSource<Secret, HelmOciChart> secrets = ReferencedObjects.secrets(context);
        InformerEventSource<ServiceAccount, HelmOciChart> accounts = ReferencedObjects.serviceAccounts(context);
        return new ObjectLookup() {
            @Override
            public Optional<Secret> secret(String namespace, String name) {
                return secrets.get(new ResourceID(name, namespace))
                        .or(() -> Optional.ofNullable(context.getClient()
                                .secrets()
                                .inNamespace(namespace)
                                .withName(name)
                                .get()));
            }

            @Override
            public Optional<ServiceAccount> serviceAccount(String namespace, String name) {
                return accounts.get(new ResourceID(name, namespace))
                        .or(() -> Optional.ofNullable(context.getClient()
                                .serviceAccounts()
                                .inNamespace(namespace)
                                .withName(name)
                                .get()));
            }
        };
    }

    /** Whether another HelmOciChart (in any watched namespace) serves this content, now or as a superseded archive. */
    private static Predicate<String> usedElsewhere(HelmOciChart resource, Context<HelmOciChart> context) {
        ResourceID self = ResourceID.fromResource(resource);
        return digest -> context.getPrimaryCache()
                .list(other -> !ResourceID.fromResource(other).equals(self)
                        && ArtifactRetention.archiveDigests(other.getStatus()).anyMatch(digest::equals))
                .findAny()
                .isPresent();
    }
}
