package io.helmoci.engine.registry;

import java.time.Duration;
import java.util.Objects;

/**
 * How long answers that only carry information (a repository's tag list, the digest a tag points
 * to) are reused by every caller with the same credentials and transport. Concurrent identical
 * requests always share one request; these windows add reuse after it completed.
 *
 * <p>Staleness bound: a tag pushed or moved is seen at most {@code manifestTtl} (a new version in a
 * range: {@code tagListTtl}) later than without reuse. Keep both well below the shortest interval
 * at which callers check, so a caller checking every interval sees a change within interval + ttl.
 *
 * <p>A caller that checks on a schedule may also accept answers requested since the start of its
 * current round ({@link io.helmoci.engine.ChartPuller#inspect(io.helmoci.engine.PullRequest,
 * java.time.Instant)}); such answers are kept for {@code keepFor}, which bounds how long a round may
 * last, not how stale an answer may be (it is never older than the round).
 *
 * @param tagListTtl  how long a repository's tag list is reused; zero: only shared while in flight
 * @param manifestTtl how long the descriptor a tag resolves to (one manifest HEAD) is reused
 * @param keepFor     how long answers are kept for callers that accept answers requested since an instant
 */
public record RequestSharing(Duration tagListTtl, Duration manifestTtl, Duration keepFor) {
    public RequestSharing {
        Objects.requireNonNull(tagListTtl, "tagListTtl");
        Objects.requireNonNull(manifestTtl, "manifestTtl");
        Objects.requireNonNull(keepFor, "keepFor");
        if (tagListTtl.isNegative() || manifestTtl.isNegative() || keepFor.isNegative()) {
            throw new IllegalArgumentException("reuse windows must not be negative");
        }
    }

    /** Answers kept only for their reuse windows. */
    public RequestSharing(Duration tagListTtl, Duration manifestTtl) {
        this(tagListTtl, manifestTtl, Duration.ZERO);
    }

    /** Only requests in flight are shared; every later call asks the registry again (the CLI, libraries). */
    public static RequestSharing inFlightOnly() {
        return new RequestSharing(Duration.ZERO, Duration.ZERO);
    }
}
