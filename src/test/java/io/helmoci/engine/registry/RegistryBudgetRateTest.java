package io.helmoci.engine.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The request rate per registry host: a bucket of one second's requests, refilled at the rate. */
class RegistryBudgetRateTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private final RegistryBudget budget = new RegistryBudget(
            new RegistryBudget.Limits(0, 50, Duration.ofSeconds(30), true), Clock.fixed(T0, ZoneOffset.UTC));

    @Test
    void afterAQuietTimeOneSecondsWorthStartsAtOnceThenTheRateHolds() {
        RegistryBudget.Host host = budget.new Host();

        List<Instant> starts = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            starts.add(budget.startAt(host, T0));
        }

        assertThat(starts.subList(0, 50)).containsOnly(T0);
        assertThat(starts.get(50)).isEqualTo(T0.plusMillis(20));
        assertThat(starts.get(99)).isEqualTo(T0.plusMillis(20 * 50));
    }

    @Test
    void overAnyLongerStretchNoMoreThanTheRateStarts() {
        RegistryBudget.Host host = budget.new Host();
        Instant now = T0;
        int startedWithinTenSeconds = 0;
        for (int i = 0; i < 2_000; i++) { // callers asking every 2 ms, far faster than the rate
            if (budget.startAt(host, now).isBefore(T0.plusSeconds(10))) {
                startedWithinTenSeconds++;
            }
            now = now.plusMillis(2);
        }

        assertThat(startedWithinTenSeconds).isEqualTo(50 + 10 * 50 - 1);
    }

    @Test
    void theBucketRefillsAtTheRate() {
        RegistryBudget.Host host = budget.new Host();
        for (int i = 0; i < 50; i++) {
            budget.startAt(host, T0);
        }

        Instant later = T0.plusMillis(200); // ten requests' worth refilled
        List<Instant> starts = new ArrayList<>();
        for (int i = 0; i < 11; i++) {
            starts.add(budget.startAt(host, later));
        }

        assertThat(starts.subList(0, 10)).containsOnly(later);
        assertThat(starts.get(10)).isAfter(later);
    }
}
