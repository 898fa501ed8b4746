package io.helmoci.operator.reconciler;

import io.helmoci.operator.Constants;
import io.helmoci.operator.api.v1alpha1.HelmOciChart;
import io.helmoci.operator.fairness.ReconcileDurations;
import io.helmoci.operator.source.ChartSource;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Version, tag, manifest and chart layer from the registry, without downloading the archive (one HEAD when nothing changed).
 * On a new {@value Constants#REQUESTED_AT_ANNOTATION} (a registry webhook, or a user asking), answers shared with other
 * resources that are older than the request are not reused: the check sees what the registry holds now.
 */
record Resolve(ChartSource source, ReconcileDurations durations, Clock clock) implements SyncStep {
    @Override
    public Optional<ChartSync.Outcome> run(SyncContext context) {
        HelmOciChart resource = context.resource();
        newRequestAt(context)
                .ifPresent(
                        at -> source.forgetSharedAnswersBefore(context.request().url(), at));
        // A periodic check shares what its repository's round already asked the registry (CheckSchedule).
        Optional<Instant> round = CheckSchedule.sharedRoundStart(
                resource, durations.interval(resource.getSpec().getInterval()), clock.instant());
        context.resolved(source.resolve(context.request(), round.orElse(null)));
        context.status().checked();
        return CONTINUE;
    }

    /**
     * When a new check was requested: the annotation's time when it is one (RFC 3339, as the webhook writes it;
     * never later than now), else now. Empty when the annotation is absent or was handled already.
     */
    private Optional<Instant> newRequestAt(SyncContext context) {
        Map<String, String> annotations = context.resource().getMetadata().getAnnotations();
        String requested = annotations == null ? null : annotations.get(Constants.REQUESTED_AT_ANNOTATION);
        if (requested == null
                || Objects.equals(requested, context.status().previous().getLastHandledReconcileAt())) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        try {
            Instant at = OffsetDateTime.parse(requested).toInstant();
            return Optional.of(at.isAfter(now) ? now : at);
        } catch (DateTimeParseException notATime) {
            return Optional.of(now);
        }
    }
}
