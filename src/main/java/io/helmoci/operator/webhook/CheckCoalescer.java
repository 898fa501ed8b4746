package io.helmoci.operator.webhook;

import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * At most one trigger per key per window, none lost. The first announcement runs at once and opens
 * a window; a new announcement during it is kept for a single run when the window ends (which opens
 * the next window). An announcement seen before is dropped for as long as the caller says to
 * remember it: one naming a digest is a replay (a retried or repeated delivery) for minutes, one
 * without for a window. So a flood of identical or forged announcements costs one run per window at
 * most, and a push announced right after another is still looked at. Thread-safe.
 *
 * @param <K> what a run covers (a receiver and a repository)
 */
public final class CheckCoalescer<K> {
    /** Announcements remembered at most; the oldest are forgotten first. */
    static final int MAX_REMEMBERED = 10_000;

    private final class Window {
        Runnable trailing;
    }

    private final Map<K, Window> windows = new HashMap<>();
    /** (key, fingerprint) to when it may run again, oldest first. */
    private final LinkedHashMap<Map.Entry<K, String>, Long> remembered = new LinkedHashMap<>();

    private final Duration window;
    private final ScheduledExecutorService timer;
    private final Executor runner;
    private final LongSupplier nanoTime;

    /**
     * @param window how long after a run further announcements wait
     * @param timer  closes windows
     * @param runner runs the triggers (they call the API server)
     */
    public CheckCoalescer(Duration window, ScheduledExecutorService timer, Executor runner) {
        this(window, timer, runner, System::nanoTime);
    }

    CheckCoalescer(Duration window, ScheduledExecutorService timer, Executor runner, LongSupplier nanoTime) {
        this.window = window;
        this.timer = timer;
        this.runner = runner;
        this.nanoTime = nanoTime;
    }

    /**
     * Runs {@code action} now, or once when the key's window ends, unless this announcement was seen within
     * {@code remember} (at least the window).
     *
     * @return whether the announcement was new (false: dropped as a repeat, or folded into a run already due)
     */
    public boolean submit(K key, String fingerprint, Duration remember, Runnable action) {
        long now = nanoTime.getAsLong();
        Map.Entry<K, String> id = Map.entry(key, fingerprint);
        long until = now + Math.max(remember.toNanos(), window.toNanos());
        synchronized (windows) {
            Long mayRunAgain = remembered.remove(id);
            if (mayRunAgain != null && mayRunAgain - now > 0) {
                remembered.put(id, mayRunAgain);
                return false;
            }
            remembered.put(id, until);
            forgetOld(now);
            Window open = windows.get(key);
            if (open == null) {
                open(key, action);
                return true;
            }
            boolean first = open.trailing == null;
            open.trailing = action; // the latest: it reads the receiver as it is now
            return first;
        }
    }

    /** Keys with an open window (for tests and gauges). */
    public int openWindows() {
        synchronized (windows) {
            return windows.size();
        }
    }

    private void forgetOld(long now) {
        Iterator<Long> oldestFirst = remembered.values().iterator();
        while (oldestFirst.hasNext()) {
            long until = oldestFirst.next();
            if (remembered.size() > MAX_REMEMBERED || until - now <= 0) {
                oldestFirst.remove();
            } else {
                break;
            }
        }
    }

    private void open(K key, Runnable action) {
        Window opened = new Window();
        windows.put(key, opened);
        runner.execute(action);
        timer.schedule(() -> close(key, opened), window.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void close(K key, Window closing) {
        synchronized (windows) {
            if (windows.get(key) != closing) {
                return;
            }
            windows.remove(key);
            if (closing.trailing != null) {
                open(key, closing.trailing);
            }
        }
    }
}
