package io.helmoci.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class GoDurationTest {
    @ParameterizedTest
    @CsvSource({ "30s,PT30S", "5m,PT5M", "1h30m,PT1H30M", "500ms,PT0.5S", "1.5s,PT1.5S", "2h0m0s,PT2H", "10us,PT0.00001S" })
    void parsesGoDurations(String text, Duration expected) {
        assertThat(GoDuration.parse(text)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = { "", "5", "soon", "5 m", "m5", "-5s", "1d" })
    void rejectsAnythingElseWithAnExample(String text) {
        assertThatThrownBy(() -> GoDuration.parse(text)).hasMessageContaining("30s, 5m or 1h30m");
    }
}
