package io.helmoci.engine.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
    private final RetryPolicy helm = RetryPolicy.defaults();

    @Test
    void defaultsAreHelms() {
        assertThat(helm.maxRetries()).isEqualTo(5);
        assertThat(helm.initialBackoff()).isEqualTo(Duration.ofMillis(250));
        assertThat(helm.jitter()).isEqualTo(0.1);
        assertThat(helm.minBackoff()).isEqualTo(Duration.ofMillis(200));
        assertThat(helm.maxBackoff()).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void backoffDoublesWithinJitterAndIsClamped() {
        // random 0.5 = no jitter
        assertThat(helm.backoff(0, () -> 0.5)).isEqualTo(Duration.ofMillis(250));
        assertThat(helm.backoff(1, () -> 0.5)).isEqualTo(Duration.ofMillis(500));
        assertThat(helm.backoff(2, () -> 0.5)).isEqualTo(Duration.ofMillis(1000));
        assertThat(helm.backoff(3, () -> 0.5)).isEqualTo(Duration.ofMillis(2000));
        assertThat(helm.backoff(4, () -> 0.5)).isEqualTo(Duration.ofSeconds(3));
        assertThat(helm.backoff(40, () -> 0.5)).isEqualTo(Duration.ofSeconds(3));
        // extremes of the jitter: -10 % and +10 %
        assertThat(helm.backoff(0, () -> 0.0)).isEqualTo(Duration.ofMillis(225));
        assertThat(helm.backoff(1, () -> 0.999999).toMillis()).isEqualTo(549);
        assertThat(helm.backoff(3, () -> 0.999999).toMillis()).isBetween(2199L, 2200L);
        for (int attempt = 0; attempt < 8; attempt++) {
            double random = Math.random();
            assertThat(helm.backoff(attempt, () -> random)).isBetween(Duration.ofMillis(200), Duration.ofSeconds(3));
        }
    }

    @Test
    void floorApplies() {
        RetryPolicy small = new RetryPolicy(
                3, Duration.ofMillis(50), 0.5, Duration.ofMillis(200), Duration.ofSeconds(3), Duration.ofSeconds(30));
        assertThat(small.backoff(0, () -> 0.0)).isEqualTo(Duration.ofMillis(200));
    }

    @Test
    void retryableStatuses() {
        assertThat(RetryPolicy.isRetryableStatus(408)).isTrue();
        assertThat(RetryPolicy.isRetryableStatus(429)).isTrue();
        assertThat(RetryPolicy.isRetryableStatus(500)).isTrue();
        assertThat(RetryPolicy.isRetryableStatus(503)).isTrue();
        assertThat(RetryPolicy.isRetryableStatus(501)).isFalse();
        assertThat(RetryPolicy.isRetryableStatus(404)).isFalse();
        assertThat(RetryPolicy.isRetryableStatus(401)).isFalse();
    }

    @Test
    void retryAfterAsSecondsOrHttpDate() {
        Instant now = Instant.parse("2026-03-01T10:00:00Z");
        assertThat(RetryPolicy.parseRetryAfter("7", now)).contains(Duration.ofSeconds(7));
        assertThat(RetryPolicy.parseRetryAfter(" 0 ", now)).contains(Duration.ZERO);
        assertThat(RetryPolicy.parseRetryAfter("-3", now)).contains(Duration.ZERO);
        String date =
                DateTimeFormatter.RFC_1123_DATE_TIME.format(now.plusSeconds(12).atOffset(ZoneOffset.UTC));
        assertThat(RetryPolicy.parseRetryAfter(date, now)).contains(Duration.ofSeconds(12));
        assertThat(RetryPolicy.parseRetryAfter("Sun, 01 Mar 2026 09:00:00 GMT", now))
                .contains(Duration.ZERO);
        assertThat(RetryPolicy.parseRetryAfter("soon", now)).isEmpty();
        assertThat(RetryPolicy.parseRetryAfter(null, now)).isEmpty();
    }
}
