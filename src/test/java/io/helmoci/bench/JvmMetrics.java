package io.helmoci.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * What the operator's JVM is and where its heap stands, from its Prometheus metrics ({@code /q/metrics},
 * Micrometer's JVM binder): read the same way from the operator process and from the operator pod.
 */
record JvmMetrics(double heapUsedMiB, double heapCommittedMiB, double heapMaxMiB, double nonHeapUsedMiB, String gc) {
    private static final double MIB = 1024.0 * 1024.0;

    static JvmMetrics parse(String metrics) {
        double used = 0;
        double committed = 0;
        double max = 0;
        double nonHeap = 0;
        List<String> gcs = new ArrayList<>();
        for (String line : metrics.split("\n")) {
            if (line.startsWith("#")) {
                continue;
            }
            double value = line.contains(" ") ? Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)) : 0;
            if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
                used += value;
            } else if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"nonheap\"")) {
                nonHeap += value;
            } else if (line.startsWith("jvm_memory_committed_bytes{") && line.contains("area=\"heap\"")) {
                committed += value;
            } else if (line.startsWith("jvm_memory_max_bytes{") && line.contains("area=\"heap\"") && value > 0) {
                max += value;
            } else if (line.startsWith("jvm_gc_pause_seconds_count{")) {
                String gc = line.replaceAll(".*gc=\"([^\"]*)\".*", "$1");
                if (!gcs.contains(gc)) {
                    gcs.add(gc);
                }
            }
        }
        EngineBench.check(used > 0, "heap metrics in /q/metrics");
        return new JvmMetrics(used / MIB, committed / MIB, max / MIB, nonHeap / MIB, String.join(", ", gcs));
    }
}
