package io.helmoci.engine;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as Helm, kubectl and Flux users write them (Go's syntax): {@code 90s}, {@code 5m},
 * {@code 1h30m}, {@code 1.5h}, {@code 250ms}. Used by {@code spec.interval}/{@code spec.timeout}
 * and by the command's {@code --timeout}.
 */
public final class GoDuration {
    private static final Pattern PART = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(ns|us|µs|ms|s|m|h)");
    private static final Map<String, Long> NANOS = Map.of(
            "ns",
            1L,
            "us",
            1_000L,
            "µs",
            1_000L,
            "ms",
            1_000_000L,
            "s",
            1_000_000_000L,
            "m",
            60_000_000_000L,
            "h",
            3_600_000_000_000L);

    private GoDuration() {}

    /** @throws IllegalArgumentException with an example of the syntax, when {@code text} is not a Go duration */
    public static Duration parse(String text) {
        Duration parsed = text == null ? null : parseOrNull(text.trim());
        if (parsed == null) {
            throw new IllegalArgumentException(
                    "invalid duration '" + text + "': use a number with a unit, such as 30s, 5m or 1h30m");
        }
        return parsed;
    }

    /** The duration, or {@code fallback} when the text is null, blank or not a Go duration. */
    public static Duration parseOr(String text, Duration fallback) {
        Duration parsed = text == null ? null : parseOrNull(text.trim());
        return parsed == null ? fallback : parsed;
    }

    private static final BigDecimal MAX_NANOS = BigDecimal.valueOf(Long.MAX_VALUE);

    private static Duration parseOrNull(String text) {
        Matcher matcher = PART.matcher(text);
        BigDecimal nanos = BigDecimal.ZERO;
        int end = 0;
        while (matcher.find() && matcher.start() == end) {
            nanos = nanos.add(
                    new BigDecimal(matcher.group(1)).multiply(BigDecimal.valueOf(NANOS.get(matcher.group(2)))));
            end = matcher.end();
        }
        if (nanos.compareTo(MAX_NANOS) > 0) {
            return null; // as Go: "invalid duration" rather than a value that wrapped around
        }
        return end == 0 || end != text.length() ? null : Duration.ofNanos(nanos.longValue());
    }
}
