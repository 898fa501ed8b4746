package io.helmoci.operator.reconciler;

import io.helmoci.operator.Constants;
import io.helmoci.operator.api.v1alpha1.HelmOciChart;
import io.helmoci.operator.api.v1alpha1.HelmOciChartStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * When periodic checks run: in rounds, one every interval, at an offset within the interval that
 * depends only on the repository (spec.url). All resources of one repository with the same interval
 * therefore check at the same moments, and every check of one round shares the round's tag list and
 * manifest HEADs (the engine reuses an answer requested since the round started): one request per
 * tag and one tag list per repository per interval, however many resources name them and whenever
 * they were created. Different repositories get different offsets, which spreads the registry's load
 * over the interval as jitter did. A moved tag is still seen within one interval: a check never reuses
 * an answer older than its round.
 */
final class CheckSchedule {
    private CheckSchedule() {}

    /** Time from {@code now} to the first round of this repository at least half an interval away. */
    static Duration untilNextRound(String url, Duration interval, Instant now) {
        long period = Math.max(1, interval.toMillis());
        long at = now.toEpochMilli();
        long next = roundStartMillis(url, period, at + period / 2);
        if (next < at + period / 2) {
            next += period;
        }
        return Duration.ofMillis(next - at);
    }

    /** The start of the round of this repository that {@code now} falls in. */
    static Instant roundStart(String url, Duration interval, Instant now) {
        return Instant.ofEpochMilli(roundStartMillis(url, Math.max(1, interval.toMillis()), now.toEpochMilli()));
    }

    /**
     * The start of the current round when this reconciliation is a periodic check of an unchanged spec
     * (the generation was handled and no reconciliation was requested by annotation); empty for a new
     * generation or a requested one, which must ask the registry afresh.
     */
    static Optional<Instant> sharedRoundStart(HelmOciChart resource, Duration interval, Instant now) {
        HelmOciChartStatus status = resource.getStatus();
        if (status == null
                || !Objects.equals(
                        status.getObservedGeneration(), resource.getMetadata().getGeneration())) {
            return Optional.empty();
        }
        Map<String, String> annotations = resource.getMetadata().getAnnotations();
        String requestedAt = annotations == null ? null : annotations.get(Constants.REQUESTED_AT_ANNOTATION);
        if (requestedAt != null && !requestedAt.equals(status.getLastHandledReconcileAt())) {
            return Optional.empty();
        }
        return Optional.of(roundStart(resource.getSpec().getUrl(), interval, now));
    }

    private static long roundStartMillis(String url, long period, long at) {
        long offset = Math.floorMod(repositoryHash(url), period);
        return at - Math.floorMod(at - offset, period);
    }

    /** A stable spread of the repository over the interval (the same in every replica and shard). */
    private static long repositoryHash(String url) {
        String repository = url == null ? "" : url.trim().toLowerCase(Locale.ROOT);
        while (repository.endsWith("/")) {
            repository = repository.substring(0, repository.length() - 1);
        }
        long h = 1125899906842597L;
        for (int i = 0; i < repository.length(); i++) {
            h = 31 * h + repository.charAt(i);
        }
        return h * 0x9E3779B97F4A7C15L;
    }
}
