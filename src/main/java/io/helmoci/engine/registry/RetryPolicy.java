package io.helmoci.engine.registry;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.function.DoubleSupplier;

/**
 * When and how long to wait before retrying a registry request. Defaults follow Helm (oras-go
 * retry policy): up to 5 retries, 250 ms x 2^n with +/-10 % jitter, clamped to 200 ms - 3 s, on
 * 408, 429, 5xx (but not 501/505) and connection errors. A {@code Retry-After} header is honoured
 * up to {@code maxRetryAfter}; a longer one ends the retries.
 */
public record RetryPolicy(
        int maxRetries,
        Duration initialBackoff,
        double jitter,
        Duration minBackoff,
        Duration maxBackoff,
        Duration maxRetryAfter) {

    public RetryPolicy {
        if (maxRetries < 0 || jitter < 0 || jitter >= 1) {
            throw new IllegalArgumentException("maxRetries must be >= 0 and jitter in [0, 1)");
        }
    }

    public static RetryPolicy defaults() {
        return new RetryPolicy(
                5, Duration.ofMillis(250), 0.1, Duration.ofMillis(200), Duration.ofSeconds(3), Duration.ofSeconds(30));
    }

    public static RetryPolicy none() {
        return new RetryPolicy(0, Duration.ZERO, 0, Duration.ZERO, Duration.ZERO, Duration.ZERO);
    }

    public static boolean isRetryableStatus(int status) {
        return status == 408 || status == 429 || (status >= 500 && status != 501 && status != 505);
    }

    /**
     * The wait before retry number {@code attempt} (0 = the first retry), given a uniform random
     * number in [0, 1): {@code initial x 2^attempt}, scaled by {@code 1 +/- jitter}, then clamped.
     */
    public Duration backoff(int attempt, DoubleSupplier random) {
        double base = initialBackoff.toNanos() * Math.pow(2, Math.min(attempt, 30));
        double jittered = base * (1 + jitter * (2 * random.getAsDouble() - 1));
        long nanos = (long) Math.min(Math.max(jittered, minBackoff.toNanos()), maxBackoff.toNanos());
        return Duration.ofNanos(nanos);
    }

    /**
     * Parses {@code Retry-After} as delta-seconds or an HTTP date (RFC 9110 §10.2.3). Negative or
     * past values become zero; unparseable values are ignored.
     */
    public static Optional<Duration> parseRetryAfter(String header, Instant now) {
        if (header == null || header.isBlank()) {
            return Optional.empty();
        }
        String value = header.trim();
        try {
            long seconds = Long.parseLong(value);
            return Optional.of(Duration.ofSeconds(Math.max(0, seconds)));
        } catch (NumberFormatException notSeconds) {
            try {
                Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME)
                        .toInstant();
                Duration wait = Duration.between(now, at);
                return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
            } catch (DateTimeParseException notDate) {
                return Optional.empty();
            }
        }
    }
}
