package io.helmoci.operator.reconciler;

import io.helmoci.engine.RegistryThrottledException;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/** A resource whose registry rate-limits us is checked again when the registry said, not on the backoff schedule. */
final class RateLimitRequeue {
    /** A little after the registry's time, so the first try does not arrive a hair early. */
    private static final Duration MARGIN = Duration.ofMillis(200);

    private RateLimitRequeue() {}

    /** How long until the throttling registry takes requests again, if {@code failure} was its answer. */
    static Optional<Duration> untilRetryAt(Throwable failure, Clock clock) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof RegistryThrottledException throttled) {
                Duration wait =
                        Duration.between(clock.instant(), throttled.retryAt()).plus(MARGIN);
                return Optional.of(wait.isNegative() ? MARGIN : wait);
            }
        }
        return Optional.empty();
    }
}
