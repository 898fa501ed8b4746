package io.helmoci.bench;

import java.util.List;

/** Small statistics over repeated timings. */
final class Stats {
    private Stats() {}

    static double median(List<Double> values) {
        return percentile(values, 50);
    }

    /** Nearest-rank percentile. */
    static double percentile(List<Double> values, int percent) {
        List<Double> sorted = values.stream().sorted().toList();
        int rank = (int) Math.ceil(percent / 100.0 * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }

    static double round(double value, int decimals) {
        double scale = Math.pow(10, decimals);
        return Math.round(value * scale) / scale;
    }

    static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
