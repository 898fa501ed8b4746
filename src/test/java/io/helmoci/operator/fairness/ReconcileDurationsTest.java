package io.helmoci.operator.fairness;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ReconcileDurationsTest {
    private final ReconcileDurations durations = new ReconcileDurations(
            Duration.ofSeconds(10),
            "min-interval-setting",
            ReconcileDurations.MIN_TIMEOUT,
            Duration.ofMinutes(5),
            "max-timeout-setting");

    @Test
    void theIntervalIsRaisedToTheFloorAndSaysSo() {
        assertThat(durations.interval("1ns")).isEqualTo(Duration.ofSeconds(10));
        assertThat(durations.interval("1m")).isEqualTo(Duration.ofMinutes(1));
        assertThat(durations.interval(null)).isEqualTo(ReconcileDurations.DEFAULT_INTERVAL);
        assertThat(durations.note("1ns", "60s"))
                .isEqualTo("spec.interval 1ns is raised to 10s (min-interval-setting).");
    }

    @Test
    void theTimeoutIsKeptBetweenItsBoundsAndSaysSo() {
        assertThat(durations.timeout("0s")).isEqualTo(Duration.ofSeconds(1));
        assertThat(durations.timeout("10m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(durations.timeout("2000000h")).isEqualTo(Duration.ofMinutes(5));
        assertThat(durations.timeout("99999999999h"))
                .as("over Go's range: invalid, as Go says")
                .isEqualTo(ReconcileDurations.DEFAULT_TIMEOUT);
        assertThat(durations.note("10m", "99999999999h"))
                .isEqualTo("spec.timeout 99999999999h is not a valid duration; 1m is used.");
        assertThat(durations.timeout("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(durations.note("10m", "0s")).isEqualTo("spec.timeout 0s is raised to the minimum 1s.");
        assertThat(durations.note("10m", "10m")).isEqualTo("spec.timeout 10m is lowered to 5m (max-timeout-setting).");
        assertThat(durations.note("10m", "60s")).isEmpty();
    }
}
