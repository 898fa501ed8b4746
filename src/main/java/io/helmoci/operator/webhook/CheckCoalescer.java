package io.helmoci.operator.webhook;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * At most one trigger per key per window, none lost: the first announcement runs at once and opens
 * a window; during it, repeats of an announcement already seen are dropped, and a new one (another
 * tag or digest) is kept for a single run when the window ends (which opens the next window). So a
 * flood of identical or forged announcements costs one run per window, and a push announced right
 * after another is still looked at. Thread-safe.
 *
 * @param <K> what a run covers (a receiver and a repository)
 */
public final class CheckCoalescer<K> {
    /** Announcements remembered per window at most; beyond, any new one is treated as seen (a trailing run is due anyway). */
    static final int MAX_FINGERPRINTS = 1024;

    private final class Window {
        final Set<String> seen = new HashSet<>();
        Runnable trailing;
    }

    private final Map<K, Window> windows = new HashMap<>();
    private final Duration window;
    private final ScheduledExecutorService timer;
    private final Executor runner;

    /**
     * @param window how long after a run further announcements wait
     * @param timer  closes windows
     * @param runner runs the triggers (they call the API server)
     */
    public CheckCoalescer(Duration window, ScheduledExecutorService timer, Executor runner) {
        this.window = window;
        this.timer = timer;
        this.runner = runner;
    }

    /** Whether {@code action} ran or will run for this announcement (false: coalesced into one already due). */
    public boolean submit(K key, String fingerprint, Runnable action) {
        synchronized (windows) {
            Window open = windows.get(key);
            if (open == null) {
                open(key, Set.of(fingerprint), action);
                return true;
            }
            if (open.seen.contains(fingerprint) || open.seen.size() >= MAX_FINGERPRINTS) {
                return false;
            }
            open.seen.add(fingerprint);
            boolean first = open.trailing == null;
            open.trailing = action; // the latest action: it reads the receiver as it is now
            return first;
        }
    }

    /** Keys with an open window (for tests and gauges). */
    public int openWindows() {
        synchronized (windows) {
            return windows.size();
        }
    }

    private void open(K key, Set<String> fingerprints, Runnable action) {
        Window opened = new Window();
        opened.seen.addAll(fingerprints);
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
                open(key, closing.seen, closing.trailing); // repeats of what it covers stay dropped
            }
        }
    }
}
