package io.helmoci.engine.chart;

// PLACEHOLDER until branch engine-core lands; deleted on merge.
public record ChartLimits(long maxArchiveBytes) {
    public static ChartLimits defaults() {
        return new ChartLimits(20L * 1024 * 1024);
    }
}
