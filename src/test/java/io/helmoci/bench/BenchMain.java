package io.helmoci.bench;

import io.helmoci.testbed.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Runs the benchmark suites and merges their figures into the results file. Started by
 * {@code make bench} ({@code tools/bench.sh}); see docs/benchmarks.md. Exits 0 when every suite ran,
 * 1 when one failed (its figures so far are kept), 2 on a usage error.
 */
public final class BenchMain {
    private BenchMain() {}

    public static void main(String[] args) {
        BenchOptions options;
        try {
            options = BenchOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        int exit = 0;
        long start = System.nanoTime();
        try {
            BenchReport report = BenchReport.open(options.results());
            report.put("run", "machine", ProcFs.machine());
            report.put("run", "tools", tools());
            report.put("run", "quick", options.quick());
            Path work = Files.createTempDirectory("helmoci-bench-");
            try {
                for (String suite : options.suites()) {
                    long suiteStart = System.nanoTime();
                    report.put("run", suite + "StartedAt", Instant.now().toString());
                    if (suite.equals("engine")) {
                        new EngineBench(options, report, work.resolve("engine")).run();
                    } else if (suite.equals("throttled")) {
                        new ThrottledBench(options, report, work.resolve("throttled")).run();
                    } else if (suite.equals("cluster")) {
                        new ClusterBench(options, report, work.resolve("cluster")).run();
                    } else if (suite.equals("verify")) {
                        new VerifyBench(options, report, work.resolve("verify")).run();
                    } else {
                        new OperatorBench(options, report, work.resolve("operator")).run();
                    }
                    report.put("run", suite + "Seconds", Stats.round(Stats.seconds(suiteStart), 1));
                }
            } finally {
                EngineBench.deleteTree(work); // generated charts, hundreds of MiB
            }
            System.out.printf("[bench] done in %.0f s; results in %s%n", Stats.seconds(start), report.file());
        } catch (Exception e) {
            e.printStackTrace();
            exit = 1;
        }
        // kube-api-test and HTTP clients leave non-daemon threads behind: leave explicitly.
        System.exit(exit);
    }

    private static Map<String, String> tools() {
        Map<String, String> tools = new LinkedHashMap<>();
        for (String tool : new String[] {"helm", "oras", "registry.distribution", "registry.debian", "etcd"}) {
            tools.put(tool, Tools.version(tool));
        }
        tools.put("kubernetes", Tools.kubeVersion());
        return tools;
    }
}
