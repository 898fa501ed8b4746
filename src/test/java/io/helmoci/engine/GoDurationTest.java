package io.helmoci.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class GoDurationTest {
    private static final Duration FALLBACK = Duration.ofSeconds(42);

    @ParameterizedTest
    @CsvSource({
        "30s,PT30S",
        "10m,PT10M",
        "1h30m,PT1H30M",
        "1.5h,PT1H30M",
        "250ms,PT0.25S",
        "2h0m0s,PT2H",
        "10us,PT0.00001S",
        "3µs,PT0.000003S"
    })
    void parsesGoDurations(String text, Duration expected) {
        assertThat(GoDuration.parse(text)).isEqualTo(expected);
        assertThat(GoDuration.parseOr(text, FALLBACK)).isEqualTo(expected);
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"5", "soon", "5 m", "m5", "-5s", "1d", "10m garbage", "x10m", "99999999999h"})
    void rejectsAnythingElseWithAnExampleOrFallsBack(String text) {
        assertThatThrownBy(() -> GoDuration.parse(text)).hasMessageContaining("30s, 5m or 1h30m");
        assertThat(GoDuration.parseOr(text, FALLBACK)).isEqualTo(FALLBACK);
    }
}
