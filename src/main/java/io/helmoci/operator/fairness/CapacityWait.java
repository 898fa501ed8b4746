package io.helmoci.operator.fairness;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.helmoci.operator.ConditionReasons;
import io.helmoci.operator.Constants;
import io.helmoci.operator.api.v1alpha1.HelmOciChart;
import io.helmoci.operator.api.v1alpha1.HelmOciChartStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The status of a resource whose reconciliation was refused by the {@link WorkLimiter}:
 * Reconciling=True with reason {@value ConditionReasons#WAITING_FOR_CAPACITY} and the limiter's
 * message; Ready keeps describing the served artifact (or is Unknown before any result). Written
 * only when it changes, so that waiting resources do not write the API server on every retry.
 */
public final class CapacityWait {
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    /** Refused reconciliations are retried after this plus up to as much again of jitter. */
    public static final Duration RETRY_AFTER = Duration.ofSeconds(2);

    private CapacityWait() {}

    /** When to try again: {@link #RETRY_AFTER} with jitter, so waiting resources do not all come back at once. */
    public static Duration retryAfter() {
        return RETRY_AFTER.plusMillis(ThreadLocalRandom.current().nextLong(RETRY_AFTER.toMillis() + 1));
    }

    /** The status to write, or empty when the resource already shows this wait. */
    public static Optional<HelmOciChartStatus> status(HelmOciChart resource, String message, Clock clock) {
        HelmOciChartStatus previous = resource.getStatus();
        Optional<Condition> reconciling = previous == null || previous.getConditions() == null
                ? Optional.empty()
                : previous.getConditions().stream()
                        .filter(c -> Constants.CONDITION_RECONCILING.equals(c.getType()))
                        .findFirst();
        if (reconciling
                .filter(c ->
                        ConditionReasons.WAITING_FOR_CAPACITY.equals(c.getReason()) && message.equals(c.getMessage()))
                .isPresent()) {
            return Optional.empty();
        }
        HelmOciChartStatus next = previous == null ? new HelmOciChartStatus() : SERIALIZATION.clone(previous);
        if (next.getConditions() == null) {
            next.setConditions(new ArrayList<>());
        }
        Long generation = resource.getMetadata().getGeneration();
        String now = Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString();
        set(next.getConditions(), Constants.CONDITION_RECONCILING, "True", message, generation, now);
        if (next.getConditions().stream().noneMatch(c -> Constants.CONDITION_READY.equals(c.getType()))) {
            set(next.getConditions(), Constants.CONDITION_READY, "Unknown", message, generation, now);
        }
        return Optional.of(next);
    }

    private static void set(
            List<Condition> conditions, String type, String status, String message, Long generation, String now) {
        Optional<Condition> existing =
                conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
        String transition = existing.filter(c -> status.equals(c.getStatus()))
                .map(Condition::getLastTransitionTime)
                .orElse(now);
        Condition condition = new ConditionBuilder()
                .withType(type)
                .withStatus(status)
                .withReason(ConditionReasons.WAITING_FOR_CAPACITY)
                .withMessage(message)
                .withObservedGeneration(generation)
                .withLastTransitionTime(transition)
                .build();
        existing.ifPresentOrElse(
                c -> conditions.set(conditions.indexOf(c), condition), () -> conditions.add(condition));
    }
}
