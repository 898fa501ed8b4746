package io.helmoci.hardening;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/** Peak resident memory of a process (VmHWM in /proc/PID/status), sampled while it runs. */
final class MemoryFigures {
    private MemoryFigures() {}

    /** VmHWM in MiB, or -1 when the process is gone. */
    static long peakRssMiB(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /** Samples {@link #peakRssMiB} every 100 ms on a daemon thread until the process ends; the highest value seen. */
    static AtomicLong watch(ProcessHandle process) {
        AtomicLong peak = new AtomicLong(-1);
        Thread thread = new Thread(
                () -> {
                    while (process.isAlive()) {
                        peak.accumulateAndGet(peakRssMiB(process.pid()), Math::max);
                        try {
                            Thread.sleep(100);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                },
                "rss-watch-" + process.pid());
        thread.setDaemon(true);
        thread.start();
        return peak;
    }
}
