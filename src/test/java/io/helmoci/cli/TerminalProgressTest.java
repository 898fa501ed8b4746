package io.helmoci.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;

import org.junit.jupiter.api.Test;

class TerminalProgressTest {
    @Test
    void staysQuietForAMomentThenDrawsOneLineThatEndsAtOneHundredPercent() throws InterruptedException {
        StringWriter err = new StringWriter();
        TerminalProgress progress = new TerminalProgress(new PrintWriter(err));

        progress.progress(10, 2 * 1048576);
        assertThat(err.toString()).isEmpty();

        Thread.sleep(600);
        progress.progress(1048576, 2 * 1048576);
        progress.progress(2 * 1048576, 2 * 1048576);

        assertThat(err.toString()).contains(" 50% 1.0 MiB / 2.0 MiB").endsWith("100% 2.0 MiB / 2.0 MiB" + System.lineSeparator());
    }
}
