package io.helmoci.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** What Linux tells about the machine and its processes in /proc: memory, CPU time, load, who else is busy. */
final class ProcFs {
    /** /proc reports CPU times in USER_HZ ticks, which is 100 on every Linux architecture that matters here. */
    private static final double TICKS_PER_SECOND = 100.0;

    private static final double MIB = 1024.0 * 1024.0;

    private ProcFs() {}

    /** The machine, for the header of the results. */
    record Machine(String cpu, int cores, double memoryGiB, String kernel, String java) {}

    /** The 1-minute load average before and after a measurement: above the core count, other work competed. */
    record Load(double before, double after) {}

    static Machine machine() {
        String cpu = lines(Path.of("/proc/cpuinfo")).stream()
                .filter(l -> l.startsWith("model name"))
                .map(l -> l.substring(l.indexOf(':') + 1).trim())
                .findFirst()
                .orElse("unknown");
        double memKiB = meminfo("MemTotal");
        return new Machine(
                cpu,
                Runtime.getRuntime().availableProcessors(),
                Math.round(memKiB / MIB * 10) / 10.0,
                read(Path.of("/proc/sys/kernel/osrelease")).trim(),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
    }

    static double loadAverage() {
        return Double.parseDouble(read(Path.of("/proc/loadavg")).split("\\s+")[0]);
    }

    /** A field of /proc/PID/status in MiB, such as {@code VmRSS} (resident now) or {@code VmHWM} (peak resident). */
    static double statusMiB(long pid, String field) {
        return lines(Path.of("/proc", Long.toString(pid), "status")).stream()
                .filter(l -> l.startsWith(field + ":"))
                .map(l -> Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024.0)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no " + field + " for process " + pid));
    }

    /** User plus system CPU time the process has used so far. */
    static double cpuSeconds(long pid) {
        String stat = read(Path.of("/proc", Long.toString(pid), "stat"));
        // The command name (field 2) may contain spaces: count fields after its closing parenthesis.
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / TICKS_PER_SECOND;
    }

    /**
     * Processes outside this JVM and its children that used more than 10% of a core over {@code sampleMillis}:
     * the other builds a figure shared the machine with.
     */
    static List<String> otherBusyProcesses(long sampleMillis) {
        Set<Long> ours =
                ProcessHandle.current().descendants().map(ProcessHandle::pid).collect(Collectors.toSet());
        ours.add(ProcessHandle.current().pid());
        Map<Long, Double> first = allCpuSeconds();
        sleep(sampleMillis);
        Map<Long, Double> second = allCpuSeconds();
        List<String> busy = new ArrayList<>();
        second.forEach((pid, cpu) -> {
            double share = (cpu - first.getOrDefault(pid, cpu)) / (sampleMillis / 1000.0);
            if (share > 0.10 && !ours.contains(pid)) {
                busy.add(command(pid) + " (" + Math.round(share * 100) + "% of a core)");
            }
        });
        return busy;
    }

    private static Map<Long, Double> allCpuSeconds() {
        Map<Long, Double> cpu = new HashMap<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            procs.map(p -> p.getFileName().toString())
                    .filter(n -> n.matches("\\d+"))
                    .forEach(n -> {
                        try {
                            cpu.put(Long.valueOf(n), cpuSeconds(Long.parseLong(n)));
                        } catch (RuntimeException e) {
                            // the process ended meanwhile
                        }
                    });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return cpu;
    }

    private static String command(long pid) {
        return ProcessHandle.of(pid)
                        .flatMap(h -> h.info().command())
                        .map(c -> Path.of(c).getFileName().toString())
                        .orElse("pid " + pid)
                + argumentHint(pid);
    }

    /** For a JVM the main class or jar says more than "java". */
    private static String argumentHint(long pid) {
        String[] args = ProcessHandle.of(pid).flatMap(h -> h.info().arguments()).orElse(new String[0]);
        for (int i = 0; i < args.length; i++) {
            if (args[i].endsWith(".jar") || args[i].startsWith("org.codehaus.plexus.classworlds")) {
                return " " + Path.of(args[i]).getFileName();
            }
        }
        return "";
    }

    private static double meminfo(String field) {
        return lines(Path.of("/proc/meminfo")).stream()
                .filter(l -> l.startsWith(field + ":"))
                .mapToDouble(l -> Long.parseLong(l.replaceAll("[^0-9]", "")))
                .findFirst()
                .orElse(0);
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

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
