package io.helmoci.operator.artifacts;

import io.helmoci.operator.Constants;
import io.helmoci.operator.api.v1alpha1.Artifact;
import io.helmoci.operator.api.v1alpha1.HelmOciChartStatus;
import io.helmoci.operator.api.v1alpha1.SupersededArtifact;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * How long a superseded archive stays served (helmoci.artifacts.retention): a client that read
 * status.artifact.url just before an update can still download what it read. Pure decisions on
 * a given instant, so they are tested with a controlled clock.
 */
public final class ArtifactRetention {
    private final Duration retention;

    public ArtifactRetention(Duration retention) {
        if (retention.isNegative()) {
            throw new IllegalArgumentException("helmoci.artifacts.retention must not be negative: " + retention);
        }
        this.retention = retention;
    }

    public Duration retention() {
        return retention;
    }

    /** How often the store is swept: a fifth of the retention, within {@link Constants#MIN_SWEEP_PERIOD}..{@link Constants#MAX_SWEEP_PERIOD}. */
    public Duration sweepPeriod() {
        Duration fifth = retention.dividedBy(5);
        return fifth.compareTo(Constants.MIN_SWEEP_PERIOD) < 0
                ? Constants.MIN_SWEEP_PERIOD
                : fifth.compareTo(Constants.MAX_SWEEP_PERIOD) > 0 ? Constants.MAX_SWEEP_PERIOD : fifth;
    }

    /**
     * The superseded list once {@code replaced} stops being current at {@code now}: it is appended
     * with an expiry of now plus the retention. Dropped: expired entries, entries for the current
     * content or at the current URL (a moved tag: the URL serves the new content), and the oldest
     * beyond {@link Constants#MAX_SUPERSEDED_ARTIFACTS}. Null when nothing is left (the status field
     * is then omitted).
     *
     * @param replaced the archive that was current, its expiry unset; null when nothing was replaced
     * @param current  the archive now served
     */
    public List<SupersededArtifact> supersede(
            List<SupersededArtifact> previous, SupersededArtifact replaced, Artifact current, Instant now) {
        List<SupersededArtifact> next = new ArrayList<>();
        if (previous != null) {
            next.addAll(previous);
        }
        if (replaced != null && replaced.getDigest() != null && !retention.isZero()) {
            next.removeIf(entry -> Objects.equals(entry.getUrl(), replaced.getUrl()));
            next.add(new SupersededArtifact(
                    replaced.getUrl(),
                    replaced.getDigest(),
                    replaced.getManifestDigest(),
                    replaced.getSize(),
                    now.plus(retention).truncatedTo(ChronoUnit.SECONDS).toString()));
        }
        next.removeIf(entry -> !isLive(entry, now)
                || entry.getDigest().equals(current.getDigest())
                || Objects.equals(entry.getUrl(), current.getUrl()));
        while (next.size() > Constants.MAX_SUPERSEDED_ARTIFACTS) {
            next.remove(0);
        }
        return next.isEmpty() ? null : next;
    }

    /** The entries still served at {@code now}; null when none. */
    public static List<SupersededArtifact> live(List<SupersededArtifact> entries, Instant now) {
        if (entries == null) {
            return null;
        }
        List<SupersededArtifact> live =
                entries.stream().filter(entry -> isLive(entry, now)).toList();
        return live.isEmpty() ? null : new ArrayList<>(live);
    }

    /** Served until its expiry; an entry without a readable expiry or digest is not. */
    public static boolean isLive(SupersededArtifact entry, Instant now) {
        return entry.getDigest() != null && expiry(entry).map(now::isBefore).orElse(false);
    }

    public static Optional<Instant> expiry(SupersededArtifact entry) {
        try {
            return Optional.ofNullable(entry.getExpiryTime()).map(Instant::parse);
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /** Every archive a status names: the current one and the superseded ones, expired or not. */
    public static Stream<String> archiveDigests(HelmOciChartStatus status) {
        if (status == null) {
            return Stream.empty();
        }
        Stream<String> superseded = status.getSupersededArtifacts() == null
                ? Stream.empty()
                : status.getSupersededArtifacts().stream().map(SupersededArtifact::getDigest);
        return Stream.concat(Stream.of(status.getContentDigest()), superseded).filter(Objects::nonNull);
    }
}
