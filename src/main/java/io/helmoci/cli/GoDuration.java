package io.helmoci.cli;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses durations the way Helm and kubectl flags spell them: {@code 90s}, {@code 5m}, {@code 1h30m}, {@code 500ms}. */
final class GoDuration {
    private static final Pattern WHOLE = Pattern.compile("(\\d+(\\.\\d+)?(ns|us|µs|ms|s|m|h))+");
    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)");

    private GoDuration() {
    }

    static Duration parse(String text) {
        if (text == null || !WHOLE.matcher(text).matches()) {
            throw new IllegalArgumentException("invalid duration '" + text + "': use a number with a unit, such as 30s, 5m or 1h30m");
        }
        double nanos = 0;
        Matcher part = PART.matcher(text);
        while (part.find()) {
            double value = Double.parseDouble(part.group(1));
            nanos += value * switch (part.group(2)) {
                case "ns" -> 1d;
                case "us", "µs" -> 1e3;
                case "ms" -> 1e6;
                case "s" -> 1e9;
                case "m" -> 60e9;
                default -> 3600e9;
            };
        }
        return Duration.ofNanos((long) nanos);
    }
}
