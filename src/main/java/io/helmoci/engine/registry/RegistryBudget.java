package io.helmoci.engine.registry;

import io.helmoci.engine.RegistryThrottledException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import okhttp3.Interceptor;
import okhttp3.Response;

/**
 * What each registry host is asked, at most: {@link Limits#maxConcurrent()} requests at once and
 * {@link Limits#requestsPerSecond()} per second, for every operation of the process together, so
 * a thousand resources never stampede one registry. The rate is a token bucket holding one second's
 * worth (as client-go's QPS and burst): after a quiet second up to that many requests start at once,
 * and over any longer stretch no more than the rate.
 *
 * <p>When a registry answers 429, or says {@code RateLimit-Remaining: 0} (Docker Hub), its next
 * requests are pushed out until its {@code Retry-After} (else {@link Limits#defaultPause()}) without
 * being sent: they fail at once with {@link RegistryThrottledException} naming the time to try again.
 * After that time one request goes out as a probe; the others wait for its answer, so a registry
 * that still throttles gets at most one request per pause, and one that recovered gets no burst.
 */
public final class RegistryBudget implements Interceptor {
    /** Callers that find a probe in flight are told to come back after this. */
    static final Duration PROBE_WAIT = Duration.ofSeconds(1);
    /** The bucket holds this much of the rate: the most that may start at once after a quiet time. */
    static final Duration BURST_WINDOW = Duration.ofSeconds(1);

    /**
     * @param maxConcurrent     requests in flight at once per registry host; 0 = unlimited
     * @param requestsPerSecond requests started per second per registry host; 0 = unlimited
     * @param defaultPause      how long a 429 without Retry-After (or RateLimit-Remaining: 0) pauses the host
     * @param pauseWhenThrottled whether a 429 pauses the host for every caller (a long-running process such as the
     *                          operator); without, each call retries a 429 in-line on its own ({@link RetryPolicy})
     */
    public record Limits(
            int maxConcurrent, double requestsPerSecond, Duration defaultPause, boolean pauseWhenThrottled) {
        public Limits {
            if (maxConcurrent < 0 || requestsPerSecond < 0 || defaultPause.isNegative()) {
                throw new IllegalArgumentException("registry limits must not be negative");
            }
        }

        /** No limits, and a 429 is left to each call's own retries (the CLI, libraries). */
        public static Limits unlimited() {
            return new Limits(0, 0, Duration.ofSeconds(30), false);
        }
    }

    final class Host {
        final Semaphore slots = limits.maxConcurrent() > 0 ? new Semaphore(limits.maxConcurrent(), true) : null;
        Instant nextStart = Instant.MIN;
        Instant pausedUntil = Instant.MIN;
        boolean throttled;
        boolean probing;
    }

    private final Limits limits;
    private final Clock clock;
    private final Map<String, Host> hosts = new ConcurrentHashMap<>();

    public RegistryBudget(Limits limits, Clock clock) {
        this.limits = limits;
        this.clock = clock;
    }

    @Override
    public Response intercept(Chain chain) throws IOException {
        String hostPort =
                chain.request().url().host() + ":" + chain.request().url().port();
        Host host = hosts.computeIfAbsent(hostPort, h -> new Host());
        if (!limits.pauseWhenThrottled() && host.slots == null && limits.requestsPerSecond() <= 0) {
            return chain.proceed(chain.request());
        }
        boolean probe = limits.pauseWhenThrottled() && admit(host, hostPort);
        acquireSlot(host, chain);
        Response response;
        try {
            pace(host);
            response = chain.proceed(chain.request());
        } catch (IOException | RuntimeException e) {
            synchronized (host) {
                host.probing = host.probing && !probe; // a failed probe: the next caller probes
            }
            throw e;
        } finally {
            if (host.slots != null) {
                host.slots.release();
            }
        }
        if (!limits.pauseWhenThrottled()) {
            return response;
        }
        Duration pause = pauseAsked(response);
        release(host, probe, pause);
        if (response.code() == 429) {
            Instant retryAt = clock.instant().plus(pause);
            String detail = RegistryErrors.read(response).detail(); // closes the response
            throw throttled(hostPort, retryAt, "answered " + detail);
        }
        return response;
    }

    /** Whether this request is the probe after a pause; fails without sending while the host is paused. */
    private boolean admit(Host host, String hostPort) {
        synchronized (host) {
            Instant now = clock.instant();
            if (now.isBefore(host.pausedUntil)) {
                throw throttled(hostPort, host.pausedUntil, "asked us to wait");
            }
            if (!host.throttled) {
                return false;
            }
            if (host.probing) {
                throw throttled(hostPort, now.plus(PROBE_WAIT), "is being asked whether it takes requests again");
            }
            host.probing = true;
            return true;
        }
    }

    private void release(Host host, boolean probe, Duration pause) {
        synchronized (host) {
            if (probe) {
                host.probing = false;
            }
            if (pause != null) {
                host.throttled = true;
                Instant until = clock.instant().plus(pause);
                host.pausedUntil = until.isAfter(host.pausedUntil) ? until : host.pausedUntil;
            } else if (probe) {
                host.throttled = false; // the probe was answered normally: the registry takes requests again
                // with an empty bucket: the requests that waited through the pause go out at the rate, not at once
                Instant full = clock.instant().plus(BURST_WINDOW);
                host.nextStart = full.isAfter(host.nextStart) ? full : host.nextStart;
            }
        }
    }

    /** The pause a response asks for: 429 (Retry-After or the default), or a successful answer with no quota left. */
    private Duration pauseAsked(Response response) {
        String remaining = response.header("RateLimit-Remaining");
        boolean exhausted = remaining != null
                && remaining.trim().startsWith("0")
                && !remaining.trim().matches("0\\d.*");
        if (response.code() != 429 && !exhausted) {
            return null;
        }
        return RetryPolicy.parseRetryAfter(response.header("Retry-After"), clock.instant())
                .filter(d -> !d.isZero())
                .orElse(limits.defaultPause());
    }

    private void acquireSlot(Host host, Chain chain) throws IOException {
        if (host.slots == null) {
            return;
        }
        long waitMillis = Math.max(1000, chain.call().timeout().timeoutNanos() / 1_000_000);
        waitMillis = Math.max(waitMillis, chain.readTimeoutMillis());
        try {
            if (!host.slots.tryAcquire(waitMillis, TimeUnit.MILLISECONDS)) {
                throw new InterruptedIOException("no free request slot for the registry within " + waitMillis + " ms");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for a request slot");
        }
    }

    /** Waits until the host's bucket has a token for this request (see {@link #startAt}). */
    private void pace(Host host) throws IOException {
        if (limits.requestsPerSecond() <= 0) {
            return;
        }
        Instant start;
        synchronized (host) {
            start = startAt(host, clock.instant());
        }
        long sleepNanos = Duration.between(clock.instant(), start).toNanos();
        if (sleepNanos > 0) {
            try {
                TimeUnit.NANOSECONDS.sleep(sleepNanos);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while pacing registry requests");
            }
        }
    }

    /**
     * When a request asked for at {@code now} may start, and books it: a token bucket of one second's
     * requests, kept as the time the bucket would be empty ({@code host.nextStart}, the generic cell
     * rate algorithm): a request may start once that time is at most one second ahead.
     */
    Instant startAt(Host host, Instant now) {
        long spacingNanos = (long) (1_000_000_000L / limits.requestsPerSecond());
        Instant emptyAt = host.nextStart.isAfter(now) ? host.nextStart : now;
        Instant start = emptyAt.minus(BURST_WINDOW).plusNanos(spacingNanos);
        if (start.isBefore(now)) {
            start = now;
        }
        host.nextStart = emptyAt.plusNanos(spacingNanos);
        return start;
    }

    private static RegistryThrottledException throttled(String hostPort, Instant retryAt, String what) {
        return new RegistryThrottledException(
                "Registry " + hostPort + " rate-limits our requests: it " + what
                        + "; the next request to it goes out at " + retryAt.truncatedTo(ChronoUnit.SECONDS)
                        + ". Nothing to do if this is rare: it recovers by itself; if it persists, authenticate to get a higher limit,"
                        + " lengthen the intervals, or lower helmoci.registry.requests-per-second.",
                retryAt);
    }
}
