package io.helmoci.bench;

import java.lang.management.ManagementFactory;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Live heap of this JVM (used heap right after full collections) before, during and after a call,
 * sampled every 100 ms as {@code ChartPullerMemoryIT} does. The collections slow the call down, so
 * time it in a separate run.
 */
final class LiveHeap {
    private static final double MIB = 1024.0 * 1024.0;

    /** Growth over the live heap before the call, in MiB. */
    record Growth(double beforeMiB, double peakGrowthMiB, double afterGrowthMiB, int samples) {}

    private LiveHeap() {}

    static <T> Growth during(Callable<T> call) throws Exception {
        long before = now();
        AtomicLong peak = new AtomicLong(before);
        AtomicInteger samples = new AtomicInteger();
        AtomicBoolean running = new AtomicBoolean(true);
        Thread sampler = new Thread(
                () -> {
                    while (running.get()) {
                        peak.accumulateAndGet(now(), Math::max);
                        samples.incrementAndGet();
                        ProcFs.sleep(100);
                    }
                },
                "live-heap-sampler");
        sampler.start();
        try {
            call.call();
        } finally {
            running.set(false);
            sampler.join();
        }
        long after = now();
        return new Growth(
                round(before / MIB), round((peak.get() - before) / MIB), round((after - before) / MIB), samples.get());
    }

    static long now() {
        for (int i = 0; i < 2; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    static double round(double value) {
        return Math.round(value * 100) / 100.0;
    }
}
