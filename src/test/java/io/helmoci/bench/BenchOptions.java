package io.helmoci.bench;

import io.helmoci.engine.GoDuration;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What to run, from the command line that {@code tools/bench.sh} builds out of the make variables.
 *
 * @param quick          a smoke run of a minute or two: one registry, small charts, one operator round
 * @param suites         {@code engine}, {@code operator}, {@code verify} (signature verification per new digest)
 *                       and/or {@code throttled} (a minute of 429s; run on request), {@code cluster} (the operator
 *                       pod in the real cluster with the largest of {@code operatorCounts}; run on request)
 * @param results        the JSON file results are merged into
 * @param operatorCounts how many HelmOciCharts each operator round applies at once
 * @param steadyInterval spec.interval of the resources in the last round, whose steady state is observed
 * @param steadyWindow   how long the steady state is observed
 */
record BenchOptions(
        boolean quick,
        Set<String> suites,
        Path results,
        List<Integer> operatorCounts,
        Duration steadyInterval,
        Duration steadyWindow) {

    static final String USAGE =
            "usage: BenchMain [--quick] [--suite engine|operator|verify|throttled|cluster]... --results FILE"
                    + " [--operator-counts 100,500,1000] [--steady-interval 1m] [--steady-window 3m]";

    static BenchOptions parse(String[] args) {
        boolean quick = Arrays.asList(args).contains("--quick");
        Set<String> suites = new LinkedHashSet<>();
        Path results = null;
        List<Integer> counts = quick ? List.of(10) : List.of(100, 500, 1000);
        Duration interval = quick ? Duration.ofSeconds(10) : Duration.ofMinutes(1);
        Duration window = quick ? Duration.ofSeconds(30) : Duration.ofMinutes(3);
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> {}
                case "--suite" -> suites.add(value(args, ++i));
                case "--results" -> results = Path.of(value(args, ++i));
                case "--operator-counts" ->
                    counts = Arrays.stream(value(args, ++i).split(","))
                            .map(String::trim)
                            .map(Integer::valueOf)
                            .toList();
                case "--steady-interval" -> interval = GoDuration.parse(value(args, ++i));
                case "--steady-window" -> window = GoDuration.parse(value(args, ++i));
                default -> throw new IllegalArgumentException("unknown option " + args[i] + "\n" + USAGE);
            }
        }
        if (results == null) {
            throw new IllegalArgumentException("--results is required\n" + USAGE);
        }
        if (suites.isEmpty()) {
            suites.addAll(List.of("engine", "operator"));
        }
        if (!Set.of("engine", "operator", "verify", "throttled", "cluster").containsAll(suites)) {
            throw new IllegalArgumentException("unknown suite in " + suites + "\n" + USAGE);
        }
        return new BenchOptions(quick, suites, results, counts, interval, window);
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) {
            throw new IllegalArgumentException("option " + args[i - 1] + " needs a value\n" + USAGE);
        }
        return args[i];
    }
}
