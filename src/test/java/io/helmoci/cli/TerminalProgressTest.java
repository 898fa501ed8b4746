package io.helmoci.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TerminalProgressTest {
    @Test
    void staysQuietForAMomentThenDrawsOneLineThatEndsAtOneHundredPercent() {
        StringWriter err = new StringWriter();
        AtomicLong nanos = new AtomicLong(1_000_000_000L);
        TerminalProgress progress = new TerminalProgress(new PrintWriter(err), nanos::get);

        progress.progress(10, 2 * 1048576);
        nanos.addAndGet(499_000_000L);
        progress.progress(20, 2 * 1048576);
        assertThat(err.toString()).as("quiet for the first half second").isEmpty();

        nanos.addAndGet(101_000_000L);
        progress.progress(1048576, 2 * 1048576);
        progress.progress(2 * 1048576, 2 * 1048576);

        assertThat(err.toString())
                .contains(" 50% 1.0 MiB / 2.0 MiB")
                .endsWith("100% 2.0 MiB / 2.0 MiB" + System.lineSeparator());
    }
}
