package io.helmoci.operator.reconciler;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class GoDurationTest {
    static final Duration FALLBACK = Duration.ofSeconds(42);

    @Test
    void parsesGoDurations() {
        assertThat(GoDuration.parse("10m", FALLBACK)).isEqualTo(Duration.ofMinutes(10));
        assertThat(GoDuration.parse("1h30m", FALLBACK)).isEqualTo(Duration.ofMinutes(90));
        assertThat(GoDuration.parse("1.5h", FALLBACK)).isEqualTo(Duration.ofMinutes(90));
        assertThat(GoDuration.parse("250ms", FALLBACK)).isEqualTo(Duration.ofMillis(250));
        assertThat(GoDuration.parse("3µs", FALLBACK)).isEqualTo(Duration.ofNanos(3000));
    }

    @Test
    void fallsBackOnEmptyOrInvalidText() {
        assertThat(GoDuration.parse(null, FALLBACK)).isEqualTo(FALLBACK);
        assertThat(GoDuration.parse("", FALLBACK)).isEqualTo(FALLBACK);
        assertThat(GoDuration.parse("10", FALLBACK)).isEqualTo(FALLBACK);
        assertThat(GoDuration.parse("10m garbage", FALLBACK)).isEqualTo(FALLBACK);
        assertThat(GoDuration.parse("x10m", FALLBACK)).isEqualTo(FALLBACK);
    }
}
