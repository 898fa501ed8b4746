package io.helmoci.operator.reconciler;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.helmoci.operator.ConditionReasons;
import io.helmoci.operator.Constants;
import io.helmoci.operator.ReconcileException;
import io.helmoci.operator.api.v1alpha1.HelmOciChart;
import io.helmoci.operator.api.v1alpha1.HelmOciChartStatus;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Builds the next status from the previous one (Keycloak style): the fields of the last success
 * are kept unless replaced, and the kstatus conditions are derived in one place.
 * lastTransitionTime changes only when a condition's status changes.
 */
final class HelmOciChartStatusAggregator {
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    private static final int MAX_MESSAGE = 1024;

    private final HelmOciChartStatus status;
    private final long generation;
    private final Clock clock;

    HelmOciChartStatusAggregator(HelmOciChart resource, Clock clock) {
        HelmOciChartStatus previous = resource.getStatus();
        this.status = previous == null ? new HelmOciChartStatus() : SERIALIZATION.clone(previous);
        if (status.getConditions() == null) {
            status.setConditions(new ArrayList<>());
        }
        Long gen = resource.getMetadata().getGeneration();
        this.generation = gen == null ? 0 : gen;
        this.clock = clock;
    }

    /** The status being built; callers set result fields on it directly. */
    HelmOciChartStatus status() {
        return status;
    }

    String now() {
        return Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString();
    }

    Optional<Condition> condition(String type) {
        return status.getConditions().stream().filter(c -> type.equals(c.getType())).findFirst();
    }

    /** Echoes the helmoci.io/requestedAt annotation, so a client that set it can see it was handled. */
    HelmOciChartStatusAggregator handledRequest(String requestedAt) {
        if (requestedAt != null) {
            status.setLastHandledReconcileAt(requestedAt);
        }
        return this;
    }

    /** A new generation is being worked on: Ready=Unknown, Reconciling=True. Returns a snapshot: the work goes on. */
    HelmOciChartStatus progressing() {
        String message = "Reconciling generation " + generation;
        set(Constants.CONDITION_READY, "Unknown", ConditionReasons.PROGRESSING, message);
        set(Constants.CONDITION_RECONCILING, "True", ConditionReasons.PROGRESSING, message);
        remove(Constants.CONDITION_STALLED);
        return SERIALIZATION.clone(status);
    }

    HelmOciChartStatus succeeded(String message) {
        status.setObservedGeneration(generation);
        set(Constants.CONDITION_READY, "True", ConditionReasons.SUCCEEDED, message);
        remove(Constants.CONDITION_RECONCILING);
        remove(Constants.CONDITION_STALLED);
        return status;
    }

    /** Ready=False with the failure's reason; the result fields of the last success stay. */
    HelmOciChartStatus failed(ReconcileException failure) {
        status.setObservedGeneration(generation);
        String reason = failure.reason();
        String message = failure.getMessage();
        set(Constants.CONDITION_READY, "False", reason, message);
        switch (failure.disposition()) {
            case RETRY -> {
                set(Constants.CONDITION_RECONCILING, "True", ConditionReasons.PROGRESSING_WITH_RETRY, message);
                remove(Constants.CONDITION_STALLED);
            }
            case WAIT -> {
                remove(Constants.CONDITION_RECONCILING);
                remove(Constants.CONDITION_STALLED);
            }
            case STALLED -> {
                remove(Constants.CONDITION_RECONCILING);
                set(Constants.CONDITION_STALLED, "True", reason, message);
            }
        }
        return status;
    }

    /** No registry request is made; an existing Ready condition keeps describing the served artifact. */
    HelmOciChartStatus suspended() {
        status.setObservedGeneration(generation);
        remove(Constants.CONDITION_RECONCILING);
        if (condition(Constants.CONDITION_READY).isEmpty()) {
            set(Constants.CONDITION_READY, "False", ConditionReasons.SUSPENDED,
                    "Reconciliation is suspended: set spec.suspend to false to resume.");
        }
        return status;
    }

    private void set(String type, String conditionStatus, String reason, String message) {
        String text = message.length() > MAX_MESSAGE ? message.substring(0, MAX_MESSAGE - 1) + "…" : message;
        Optional<Condition> existing = condition(type);
        String transition = existing.filter(c -> conditionStatus.equals(c.getStatus()))
                .map(Condition::getLastTransitionTime)
                .orElseGet(this::now);
        Condition condition = new ConditionBuilder()
                .withType(type).withStatus(conditionStatus).withReason(reason).withMessage(text)
                .withObservedGeneration(generation).withLastTransitionTime(transition)
                .build();
        List<Condition> conditions = status.getConditions();
        existing.ifPresentOrElse(c -> conditions.set(conditions.indexOf(c), condition), () -> conditions.add(condition));
    }

    private void remove(String type) {
        status.getConditions().removeIf(c -> type.equals(c.getType()));
    }
}
