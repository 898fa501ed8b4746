package io.helmoci.bench;

import io.helmoci.testbed.ProcessRunner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs a CLI (helm, helm-oci) to completion under GNU {@code /usr/bin/time -v}, for its wall time
 * and its peak resident memory (the kernel's maxrss of the process, children included).
 */
final class MeasuredCommand {
    static final Path GNU_TIME = Path.of("/usr/bin/time");
    private static final Pattern MAX_RSS = Pattern.compile("Maximum resident set size \\(kbytes\\): (\\d+)");
    private static final Duration TIMEOUT = Duration.ofMinutes(3);

    /** {@code peakRssMiB} is NaN when GNU time is not installed (Debian package {@code time}). */
    record Measured(ProcessRunner.Result result, double seconds, double peakRssMiB) {
        Measured orThrow() {
            result.orThrow();
            return this;
        }
    }

    private MeasuredCommand() {}

    static Measured run(List<String> command, Map<String, String> env, Path dir, byte[] stdin) {
        boolean gnuTime = Files.isExecutable(GNU_TIME);
        try {
            Path report = Files.createTempFile("bench-time", ".txt");
            try {
                List<String> wrapped = new ArrayList<>();
                if (gnuTime) {
                    wrapped.addAll(List.of(GNU_TIME.toString(), "-v", "-o", report.toString()));
                }
                wrapped.addAll(command);
                long start = System.nanoTime();
                ProcessRunner.Result result = ProcessRunner.run(wrapped, env, dir, stdin, TIMEOUT);
                double seconds = (System.nanoTime() - start) / 1e9;
                double rss = Double.NaN;
                if (gnuTime) {
                    Matcher matcher = MAX_RSS.matcher(Files.readString(report));
                    if (matcher.find()) {
                        rss = Long.parseLong(matcher.group(1)) / 1024.0;
                    }
                }
                return new Measured(result, seconds, rss);
            } finally {
                Files.deleteIfExists(report);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
