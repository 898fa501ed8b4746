package io.helmoci.operator.fairness;

import io.helmoci.engine.GoDuration;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The interval and timeout a reconciliation really uses: spec.interval raised to the operator's
 * floor, spec.timeout kept between a static minimum and the operator's maximum (so one resource
 * cannot hold a worker for hours), and a note for the status when a value was changed.
 *
 * @param minInterval        the shortest interval honoured
 * @param minIntervalSetting the setting that lowers it, for the note
 * @param minTimeout         the shortest timeout honoured (a registry round trip needs some time)
 * @param maxTimeout         the longest timeout honoured
 * @param maxTimeoutSetting  the setting that raises it, for the note
 */
public record ReconcileDurations(
        Duration minInterval,
        String minIntervalSetting,
        Duration minTimeout,
        Duration maxTimeout,
        String maxTimeoutSetting) {
    public static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(10);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
    /** The documented minimum of spec.timeout. */
    public static final Duration MIN_TIMEOUT = Duration.ofSeconds(1);

    /** What the operator did before these settings existed: both raised to 1 s, no maximum. */
    public static ReconcileDurations lenient() {
        return new ReconcileDurations(
                Duration.ofSeconds(1), "the minimum", MIN_TIMEOUT, Duration.ofDays(365 * 100L), "the maximum");
    }

    public Duration interval(String specInterval) {
        Duration interval = GoDuration.parseOr(specInterval, DEFAULT_INTERVAL);
        return interval.compareTo(minInterval) < 0 ? minInterval : interval;
    }

    public Duration timeout(String specTimeout) {
        Duration timeout = GoDuration.parseOr(specTimeout, DEFAULT_TIMEOUT);
        if (timeout.compareTo(minTimeout) < 0) {
            return minTimeout;
        }
        return timeout.compareTo(maxTimeout) > 0 ? maxTimeout : timeout;
    }

    /** A sentence for the status when spec.interval or spec.timeout was changed, else empty. */
    public String note(String specInterval, String specTimeout) {
        List<String> changes = new ArrayList<>();
        if (specInterval != null && GoDuration.parseOr(specInterval, null) == null) {
            changes.add("spec.interval " + specInterval + " is not a valid duration; " + format(DEFAULT_INTERVAL)
                    + " is used");
        }
        if (specTimeout != null && GoDuration.parseOr(specTimeout, null) == null) {
            changes.add("spec.timeout " + specTimeout + " is not a valid duration; " + format(DEFAULT_TIMEOUT)
                    + " is used");
        }
        Duration interval = GoDuration.parseOr(specInterval, DEFAULT_INTERVAL);
        if (interval.compareTo(minInterval) < 0) {
            changes.add("spec.interval " + specInterval + " is raised to " + format(minInterval) + " ("
                    + minIntervalSetting + ")");
        }
        Duration timeout = GoDuration.parseOr(specTimeout, DEFAULT_TIMEOUT);
        if (timeout.compareTo(minTimeout) < 0) {
            changes.add("spec.timeout " + specTimeout + " is raised to the minimum " + format(minTimeout));
        } else if (timeout.compareTo(maxTimeout) > 0) {
            changes.add("spec.timeout " + specTimeout + " is lowered to " + format(maxTimeout) + " ("
                    + maxTimeoutSetting + ")");
        }
        return changes.isEmpty() ? "" : String.join("; ", changes) + ".";
    }

    /** As Go writes simple durations: 10s, 5m, 2h (or milliseconds). */
    static String format(Duration duration) {
        long millis = duration.toMillis();
        if (millis % 3_600_000 == 0) {
            return millis / 3_600_000 + "h";
        }
        if (millis % 60_000 == 0) {
            return millis / 60_000 + "m";
        }
        return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
    }
}
