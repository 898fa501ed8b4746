package io.helmoci.engine.registry;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Callers asking for the same key at the same time share one computation (one registry request),
 * and its result is reused for {@code ttl} after it completed. A caller may also accept a result
 * whose computation started at or after an instant of its choosing ({@link #get(Object, Instant,
 * Supplier)}): callers that check on a common schedule then share one result per round however long
 * the round takes; completed results are kept for {@code keep} for them. Failures are shared only
 * with the callers already waiting, never kept: the next caller asks again.
 *
 * <p>Callers who join wait for the leader's computation, which is bounded by the leader's own
 * operation deadline.
 */
public final class SingleFlight<K, V> {
    private record Entry<V>(CompletableFuture<V> result, Instant startedAt, Instant[] completedAt) {}

    private static final int PURGE_EVERY = 256;

    private final Map<K, Entry<V>> entries = new ConcurrentHashMap<>();
    private final AtomicInteger started = new AtomicInteger();
    private final Duration ttl;
    private final Duration keep;
    private final Clock clock;

    /** @param ttl how long a completed result is reused; zero shares only requests in flight */
    public SingleFlight(Duration ttl, Clock clock) {
        this(ttl, ttl, clock);
    }

    /**
     * @param ttl  how long a completed result is reused by every caller; zero shares only requests in flight
     * @param keep how long a completed result is kept for callers that accept results started since a given instant
     */
    public SingleFlight(Duration ttl, Duration keep, Clock clock) {
        if (ttl.isNegative() || keep.isNegative()) {
            throw new IllegalArgumentException("ttl and keep must not be negative");
        }
        this.ttl = ttl;
        this.keep = keep.compareTo(ttl) < 0 ? ttl : keep;
        this.clock = clock;
    }

    public Duration ttl() {
        return ttl;
    }

    /** The value for {@code key}: a fresh one, the one in flight, or {@code compute}'s (run by this caller). */
    public V get(K key, Supplier<V> compute) {
        return get(key, null, compute);
    }

    /**
     * As {@link #get(Object, Supplier)}, and a completed result whose computation started at or after
     * {@code acceptStartedSince} is reused even after {@code ttl} (while kept).
     *
     * @param acceptStartedSince the oldest start this caller accepts beyond the ttl; null: the ttl only
     */
    public V get(K key, Instant acceptStartedSince, Supplier<V> compute) {
        while (true) {
            Entry<V> existing = entries.get(key);
            if (existing != null && reusable(existing, acceptStartedSince)) {
                return join(existing.result());
            }
            Entry<V> mine = new Entry<>(new CompletableFuture<>(), clock.instant(), new Instant[1]);
            boolean won =
                    existing == null ? entries.putIfAbsent(key, mine) == null : entries.replace(key, existing, mine);
            if (!won) {
                continue; // another caller started one meanwhile: join it
            }
            if (started.incrementAndGet() % PURGE_EVERY == 0) {
                entries.values().removeIf(this::expired); // keys nobody asks for again do not accumulate
            }
            try {
                V value = compute.get();
                mine.completedAt()[0] = clock.instant();
                mine.result().complete(value);
                if (keep.isZero()) {
                    entries.remove(key, mine);
                }
                return value;
            } catch (RuntimeException | Error e) {
                entries.remove(key, mine);
                mine.result().completeExceptionally(e);
                throw e;
            }
        }
    }

    /** Forgets every completed result (in-flight requests still complete for their waiters). */
    public void clear() {
        entries.values().removeIf(entry -> entry.result().isDone());
    }

    /**
     * Forgets the results completed before {@code instant} whose key matches {@code which}, so the
     * next caller asks again; results completed since, and requests in flight, are kept (callers
     * told about the same change at once still share one fresh request).
     */
    public void forgetCompletedBefore(java.util.function.Predicate<K> which, Instant instant) {
        entries.entrySet().removeIf(entry -> {
            Instant completed = entry.getValue().completedAt()[0];
            return entry.getValue().result().isDone()
                    && (completed == null || completed.isBefore(instant))
                    && which.test(entry.getKey());
        });
    }

    /** Entries held, in flight or reusable, for tests and gauges; expired ones are dropped first. */
    public int size() {
        entries.values().removeIf(this::expired);
        return entries.size();
    }

    private boolean reusable(Entry<V> entry, Instant acceptStartedSince) {
        if (!entry.result().isDone()) {
            return true; // in flight: join it
        }
        Instant completed = entry.completedAt()[0];
        if (completed == null) {
            return false;
        }
        Instant now = clock.instant();
        if (now.isBefore(completed.plus(ttl))) {
            return true;
        }
        return acceptStartedSince != null
                && !entry.startedAt().isBefore(acceptStartedSince)
                && now.isBefore(completed.plus(keep));
    }

    /** Neither reusable within the ttl nor kept for callers that accept older results. */
    private boolean expired(Entry<V> entry) {
        Instant completed = entry.completedAt()[0];
        return entry.result().isDone() && (completed == null || !clock.instant().isBefore(completed.plus(keep)));
    }

    private static <V> V join(CompletableFuture<V> result) {
        try {
            return result.join();
        } catch (CompletionException | CancellationException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw e;
        }
    }
}
