package io.helmoci.operator.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Delayed;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** One run per key per window; repeats dropped; a new announcement within the window runs once when it ends. */
class CheckCoalescerTest {
    /** Runs nothing until {@link #fire}: the test decides when a window ends. */
    static final class ManualTimer {
        final List<Runnable> pending = new ArrayList<>();
        final ScheduledExecutorService executor;

        ManualTimer() {
            executor = new java.util.concurrent.ScheduledThreadPoolExecutor(1) {
                @Override
                public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
                    synchronized (pending) {
                        pending.add(command);
                    }
                    return new NeverFuture();
                }
            };
        }

        void fire() {
            List<Runnable> due;
            synchronized (pending) {
                due = new ArrayList<>(pending);
                pending.clear();
            }
            due.forEach(Runnable::run);
        }
    }

    static final class NeverFuture implements ScheduledFuture<Object> {
        @Override
        public long getDelay(TimeUnit unit) {
            return 0;
        }

        @Override
        public int compareTo(Delayed o) {
            return 0;
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            return false;
        }

        @Override
        public boolean isCancelled() {
            return false;
        }

        @Override
        public boolean isDone() {
            return false;
        }

        @Override
        public Object get() {
            return null;
        }

        @Override
        public Object get(long timeout, TimeUnit unit) {
            return null;
        }
    }

    static final Duration WINDOW = Duration.ofSeconds(2);
    static final Duration REPLAY = Duration.ofMinutes(10);

    final ManualTimer timer = new ManualTimer();
    final AtomicLong nanos = new AtomicLong();
    final CheckCoalescer<String> coalescer = new CheckCoalescer<>(WINDOW, timer.executor, Runnable::run, nanos::get);

    @Test
    void aThousandIdenticalAnnouncementsRunOnce() {
        AtomicInteger runs = new AtomicInteger();
        for (int i = 0; i < 1000; i++) {
            coalescer.submit("repo", "same", REPLAY, runs::incrementAndGet);
            nanos.addAndGet(Duration.ofMillis(10).toNanos()); // spread over 10 s: five windows
            if (i % 200 == 0) {
                timer.fire();
            }
        }
        timer.fire();
        timer.fire();

        assertThat(runs).hasValue(1);
        assertThat(coalescer.openWindows()).isZero();
    }

    @Test
    void aNewAnnouncementWithinTheWindowRunsOnceWhenItEnds() {
        AtomicInteger runs = new AtomicInteger();
        coalescer.submit("repo", "1.0.0", REPLAY, runs::incrementAndGet);
        for (int i = 0; i < 100; i++) {
            coalescer.submit("repo", "forged-" + i, REPLAY, runs::incrementAndGet);
        }
        assertThat(runs).as("within the window").hasValue(1);

        timer.fire();
        assertThat(runs)
                .as("the window ended: one trailing run for all new ones")
                .hasValue(2);
        nanos.addAndGet(WINDOW.multipliedBy(3).toNanos());
        timer.fire();
        coalescer.submit("repo", "forged-7", REPLAY, runs::incrementAndGet);
        coalescer.submit("repo", "1.0.0", REPLAY, runs::incrementAndGet);
        timer.fire();
        assertThat(runs)
                .as("replays of announcements with a digest stay dropped")
                .hasValue(2);
        assertThat(coalescer.openWindows()).isZero();
    }

    @Test
    void anAnnouncementWithoutDigestRunsAgainAfterTheWindow() {
        AtomicInteger runs = new AtomicInteger();
        coalescer.submit("repo", "latest", WINDOW, runs::incrementAndGet);
        coalescer.submit("repo", "latest", WINDOW, runs::incrementAndGet);
        timer.fire();
        assertThat(runs).as("a repeat within the window").hasValue(1);

        nanos.addAndGet(WINDOW.plusMillis(1).toNanos());
        coalescer.submit("repo", "latest", WINDOW, runs::incrementAndGet);

        assertThat(runs).as("the same tag pushed again later").hasValue(2);
    }

    @Test
    void keysAreIndependent() {
        AtomicInteger runs = new AtomicInteger();
        coalescer.submit("a", "x", REPLAY, runs::incrementAndGet);
        coalescer.submit("b", "x", REPLAY, runs::incrementAndGet);

        assertThat(runs).hasValue(2);
    }

    @Test
    void windowsEndOnARealTimer() throws Exception {
        ScheduledExecutorService real = Executors.newSingleThreadScheduledExecutor();
        try {
            CheckCoalescer<String> shortWindow = new CheckCoalescer<>(Duration.ofMillis(50), real, Runnable::run);
            AtomicInteger runs = new AtomicInteger();
            shortWindow.submit("repo", "1", Duration.ZERO, runs::incrementAndGet);
            shortWindow.submit("repo", "2", Duration.ZERO, runs::incrementAndGet);
            while (runs.get() < 2 || shortWindow.openWindows() > 0) {
                Thread.sleep(10);
            }

            assertThat(runs).hasValue(2);
        } finally {
            real.shutdownNow();
        }
    }
}
