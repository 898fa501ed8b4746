package io.helmoci.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A container's memory and CPU as the kernel accounts them in the cgroup the kubelet put it in, read on
 * the node from {@code /sys/fs/cgroup}: the figures the memory limit is enforced on (the OOM killer acts
 * on the cgroup's usage, which counts the process's anonymous memory and the page cache it caused, not
 * only its RSS). cgroup v2 ({@code memory.peak}, {@code memory.current}, {@code cpu.stat usage_usec}) and
 * v1 ({@code memory.max_usage_in_bytes}, {@code memory.usage_in_bytes}, {@code cpuacct.usage}).
 */
final class ContainerCgroup {
    private static final Path ROOT = Path.of("/sys/fs/cgroup");
    private static final double MIB = 1024.0 * 1024.0;

    private final boolean v2;
    private final Path memory;
    private final Path cpu;

    /** What the cgroup says at one moment. */
    record Memory(
            double currentMiB,
            double peakMiB,
            double limitMiB,
            double anonMiB,
            double fileMiB,
            long failcnt,
            long oomKills,
            String peakSource) {}

    private ContainerCgroup(boolean v2, Path memory, Path cpu) {
        this.v2 = v2;
        this.memory = memory;
        this.cpu = cpu;
    }

    /** The cgroup of process {@code pid} (a host PID), from {@code /proc/PID/cgroup}. */
    static ContainerCgroup of(long pid) {
        List<String> lines = lines(Path.of("/proc", Long.toString(pid), "cgroup"));
        if (lines.size() == 1 && lines.get(0).startsWith("0::")) {
            Path dir = ROOT.resolve(lines.get(0).substring(3).replaceFirst("^/", ""));
            return new ContainerCgroup(true, dir, dir);
        }
        Path memory = null;
        Path cpu = null;
        for (String line : lines) {
            String[] parts = line.split(":", 3);
            if (parts.length < 3) {
                continue;
            }
            String path = parts[2].replaceFirst("^/", "");
            for (String controller : parts[1].split(",")) {
                if (controller.equals("memory")) {
                    memory = ROOT.resolve("memory").resolve(path);
                } else if (controller.equals("cpuacct")) {
                    cpu = ROOT.resolve(parts[1]).resolve(path);
                }
            }
        }
        if (memory == null || cpu == null) {
            throw new IllegalStateException("no memory or cpuacct cgroup for process " + pid + " in " + lines);
        }
        return new ContainerCgroup(false, memory, cpu);
    }

    String version() {
        return v2 ? "v2" : "v1";
    }

    Path memoryDir() {
        return memory;
    }

    /** CPU time the container used so far (user + system), in seconds. */
    double cpuSeconds() {
        if (v2) {
            return stat(cpu.resolve("cpu.stat")).getOrDefault("usage_usec", 0L) / 1e6;
        }
        return number(cpu.resolve("cpuacct.usage")) / 1e9;
    }

    Memory memory() {
        if (v2) {
            Map<String, Long> stat = stat(memory.resolve("memory.stat"));
            Map<String, Long> events = stat(memory.resolve("memory.events"));
            Path peak = memory.resolve("memory.peak");
            String max = read(memory.resolve("memory.max")).strip();
            return new Memory(
                    number(memory.resolve("memory.current")) / MIB,
                    Files.isRegularFile(peak) ? number(peak) / MIB : Double.NaN,
                    max.equals("max") ? Double.POSITIVE_INFINITY : Long.parseLong(max) / MIB,
                    stat.getOrDefault("anon", 0L) / MIB,
                    stat.getOrDefault("file", 0L) / MIB,
                    events.getOrDefault("max", 0L),
                    events.getOrDefault("oom_kill", 0L),
                    Files.isRegularFile(peak) ? "memory.peak (cgroup v2)" : "none (kernel without memory.peak)");
        }
        Map<String, Long> stat = stat(memory.resolve("memory.stat"));
        Map<String, Long> oom = stat(memory.resolve("memory.oom_control"));
        return new Memory(
                number(memory.resolve("memory.usage_in_bytes")) / MIB,
                number(memory.resolve("memory.max_usage_in_bytes")) / MIB,
                number(memory.resolve("memory.limit_in_bytes")) / MIB,
                stat.getOrDefault("total_rss", 0L) / MIB,
                stat.getOrDefault("total_cache", 0L) / MIB,
                number(memory.resolve("memory.failcnt")),
                oom.getOrDefault("oom_kill", 0L),
                "memory.max_usage_in_bytes (cgroup v1)");
    }

    /**
     * Starts the peak afresh (cgroup v1's {@code memory.max_usage_in_bytes} and v2's {@code memory.peak}
     * accept a write on recent kernels), so that a later phase's peak is its own; false when the kernel
     * does not allow it.
     */
    boolean resetPeak() {
        Path peak = memory.resolve(v2 ? "memory.peak" : "memory.max_usage_in_bytes");
        try {
            Files.writeString(peak, v2 ? "1" : "0");
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The {@code key value} lines of a cgroup file (memory.stat, cpu.stat, memory.events). */
    private static Map<String, Long> stat(Path file) {
        Map<String, Long> values = new LinkedHashMap<>();
        if (!Files.isRegularFile(file)) {
            return values;
        }
        for (String line : lines(file)) {
            String[] parts = line.trim().split("\\s+");
            if (parts.length == 2 && parts[1].matches("\\d+")) {
                values.put(parts[0], Long.parseLong(parts[1]));
            }
        }
        return values;
    }

    private static long number(Path file) {
        return Long.parseLong(read(file).strip());
    }

    private static List<String> lines(Path file) {
        return List.of(read(file).split("\n"));
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
