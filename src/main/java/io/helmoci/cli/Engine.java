package io.helmoci.cli;

import io.helmoci.engine.ChartPuller;
import io.helmoci.engine.chart.ChartLimits;
import java.nio.file.Path;

/** Builds the engine for one command run, over its content-addressed cache of verified charts. */
final class Engine {
    private Engine() {}

    static ChartPuller puller(Path cacheDir) {
        return puller(cacheDir, ChartLimits.defaults().namedAs(ChartLimits.CLI_FLAGS));
    }

    static ChartPuller puller(Path cacheDir, ChartLimits limits) {
        return new ChartPuller(cacheDir, limits);
    }
}
