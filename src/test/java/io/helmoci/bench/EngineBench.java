package io.helmoci.bench;

import io.helmoci.engine.ChartPuller;
import io.helmoci.engine.PullRequest;
import io.helmoci.engine.PullResult;
import io.helmoci.engine.Resolution;
import io.helmoci.engine.chart.ChartLimits;
import io.helmoci.testbed.ChartArchiveBuilder;
import io.helmoci.testbed.HelmCli;
import io.helmoci.testbed.RegistryImplementation;
import io.helmoci.testbed.Tools;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * The pull engine against the real registries, side by side with the real helm: large layers
 * (time, throughput, live heap, helm's peak memory), the requests a resolve costs cold and warm,
 * the helm-oci and helm processes, and many references to one chart.
 */
final class EngineBench {
    static final String SECTION = "engine";
    private static final long MIB = 1024 * 1024;
    /** Chart files are 4 MiB each: under Helm's 5 MiB per-file limit. */
    private static final long FILE_BYTES = 4 * MIB;
    /** The engine's defaults stop at 20 MiB compressed and Helm's 100 MiB decompressed: the large charts need room. */
    private static final ChartLimits ROOMY = new ChartLimits(300 * MIB, 5 * MIB, 300 * MIB, 10_000);

    private static final List<String> WEB_VERSIONS =
            List.of("1.0.0", "1.1.0", "1.2.0", "1.3.0", "1.4.0", "1.5.0", "1.6.0", "1.7.0", "1.8.0", "1.9.0", "2.0.0");
    private static final Path HELM_OCI = Path.of("bin", "helm-oci");

    private final BenchOptions options;
    private final BenchReport report;
    private final Path work;

    /** A chart archive made for the run. */
    private record Chart(String name, String version, Path file, double mib) {}

    EngineBench(BenchOptions options, BenchReport report, Path work) {
        this.options = options;
        this.report = report;
        this.work = work;
    }

    // ----- rows of the results

    /** One pull of a large chart by one client. */
    record LargePull(
            String registry,
            String client,
            double chartMiB,
            double seconds,
            double mibPerSecond,
            Double warmPullSeconds,
            Double heapPeakGrowthMiB,
            Double heapAfterGrowthMiB,
            Integer heapSamples,
            Double peakRssMiB,
            String requests,
            ProcFs.Load load) {}

    /** What one resolve or pull costs, per call. */
    record ResolveCost(
            String registry,
            String client,
            String operation,
            String phase,
            int calls,
            double registryRequestsPerCall,
            double tokenRequestsPerCall,
            String requests,
            double medianMillis,
            double p90Millis,
            ProcFs.Load load) {

        /**
         * The row of {@code millis.size()} calls by {@code client}, with the registry's {@code counts} over
         * them, times rounded to {@code decimals}, and the load since {@code load0}.
         */
        static ResolveCost of(
                BenchRegistry registry,
                String client,
                String operation,
                String phase,
                RequestCounts counts,
                List<Double> millis,
                int decimals,
                double load0) {
            int calls = millis.size();
            return new ResolveCost(
                    registry.target.label(),
                    client,
                    operation,
                    phase,
                    calls,
                    counts.registry() / (double) calls,
                    counts.tokens() / (double) calls,
                    counts.describe(calls),
                    Stats.round(Stats.median(millis), decimals),
                    Stats.round(Stats.percentile(millis, 90), decimals),
                    new ProcFs.Load(load0, ProcFs.loadAverage()));
        }
    }

    /** A whole CLI process: what a user or a CI job pays per pull. */
    record ProcessRun(
            String registry,
            String command,
            String chart,
            double chartMiB,
            int runs,
            double medianSeconds,
            double maxPeakRssMiB,
            double registryRequestsPerRun,
            double tokenRequestsPerRun,
            String requests,
            ProcFs.Load load) {}

    /** Many references, one content. */
    record SharedContent(
            String registry,
            String client,
            int references,
            int repositories,
            int threads,
            double chartMiB,
            int layerDownloads,
            double layerMiBDownloaded,
            double registryRequestsPerPull,
            String requests,
            double seconds,
            ProcFs.Load load) {}

    // ----- the suite

    void run() throws Exception {
        report.clear(SECTION);
        report.put(SECTION, "conditions", new Conditions(ProcFs.loadAverage(), ProcFs.otherBusyProcesses(2000)));
        List<BenchRegistry.Target> targets = options.quick()
                ? List.of(new BenchRegistry.Target(
                        RegistryImplementation.DISTRIBUTION_V3, BenchRegistry.Mode.ANONYMOUS_HTTP))
                : BenchRegistry.Target.all();
        List<Chart> large = (options.quick() ? List.of(20) : List.of(50, 200))
                .stream().map(mib -> incompressible("big" + mib, mib * MIB)).toList();
        Chart mid = incompressible("mid16", 16 * MIB);
        List<Chart> web = WEB_VERSIONS.stream().map(v -> small("web", v)).toList();
        Chart shared = incompressible("shared", MIB);

        for (BenchRegistry.Target target : targets) {
            Path dir = Files.createDirectories(work.resolve(slug(target.label())));
            try (BenchRegistry registry = BenchRegistry.start(target, dir)) {
                System.out.println("[bench] engine against " + registry.fixture);
                for (Chart chart : large) {
                    largePull(registry, chart, dir);
                }
                web.forEach(chart -> registry.push("bench/web", chart.version(), chart.file()));
                resolveCosts(registry, dir);
                processes(registry, dir, web.get(5), mid);
                if (target == targets.get(0)) {
                    sharedContent(registry, dir, shared);
                }
            }
            deleteTree(dir);
        }
        report.put(SECTION, "conditionsAtEnd", new Conditions(ProcFs.loadAverage(), ProcFs.otherBusyProcesses(2000)));
    }

    /** The load and the other busy processes when a suite started or ended. */
    record Conditions(double load1, List<String> otherBusyProcesses) {}

    // ----- large layers

    private void largePull(BenchRegistry registry, Chart chart, Path dir) throws Exception {
        String repo = "bench/" + chart.name();
        registry.push(repo, chart.version(), chart.file());
        PullRequest request = registry.request(repo, chart.version());
        String registryLabel = registry.target.label();

        // Timed run: JIT and token warmed by an inspect (manifest and config stored), then the pull proper.
        double load0 = ProcFs.loadAverage();
        try (ChartPuller puller = new ChartPuller(dir.resolve("store-timed"), ROOMY)) {
            String layer = puller.inspect(request).chartLayer().digest();
            registry.resetCounts();
            long start = System.nanoTime();
            PullResult result = puller.pull(request);
            double seconds = Stats.seconds(start);
            RequestCounts counts = registry.counts(layer);
            check(result.size() == Files.size(chart.file()), "pulled size");
            long warmStart = System.nanoTime();
            puller.pull(request);
            double warm = Stats.seconds(warmStart);
            ProcFs.Load load = new ProcFs.Load(load0, ProcFs.loadAverage());

            // Heap run: a fresh store, the same warm-up, then the pull with the live heap sampled.
            try (ChartPuller heapPuller = new ChartPuller(dir.resolve("store-heap"), ROOMY)) {
                heapPuller.inspect(request);
                LiveHeap.Growth heap = LiveHeap.during(() -> heapPuller.pull(request));
                report.add(
                        SECTION,
                        "largePull",
                        new LargePull(
                                registryLabel,
                                "engine (ChartPuller.pull)",
                                chart.mib(),
                                Stats.round(seconds, 2),
                                Stats.round(chart.mib() / seconds, 1),
                                Stats.round(warm, 2),
                                heap.peakGrowthMiB(),
                                heap.afterGrowthMiB(),
                                heap.samples(),
                                null,
                                counts.describe(1),
                                load));
            }
        }
        deleteTree(dir.resolve("store-timed"));
        deleteTree(dir.resolve("store-heap"));

        // helm pull of the same chart, a fresh process as users run it.
        load0 = ProcFs.loadAverage();
        registry.resetCounts();
        Path out = dir.resolve("helm-out");
        MeasuredCommand.Measured helm = helmPull(registry, repo, chart.version(), out);
        RequestCounts counts = registry.counts(null);
        report.add(
                SECTION,
                "largePull",
                new LargePull(
                        registryLabel,
                        "helm pull",
                        chart.mib(),
                        Stats.round(helm.seconds(), 2),
                        Stats.round(chart.mib() / helm.seconds(), 1),
                        null,
                        null,
                        null,
                        null,
                        Stats.round(helm.peakRssMiB(), 1),
                        counts.describe(1),
                        new ProcFs.Load(load0, ProcFs.loadAverage())));
        deleteTree(out);
    }

    // ----- resolve and pull costs

    private void resolveCosts(BenchRegistry registry, Path dir) {
        int warmCalls = options.quick() ? 5 : 20;
        int helmRuns = options.quick() ? 1 : 3;
        for (String version : List.of("1.5.0", "^1.0.0")) {
            String kind = version.startsWith("^") ? "range " + version : "exact " + version;
            engineCosts(
                    registry,
                    dir,
                    "inspect, " + kind,
                    version,
                    warmCalls,
                    (puller, request) -> puller.inspect(request));
            engineCosts(
                    registry,
                    dir,
                    "pull, " + kind,
                    version,
                    warmCalls,
                    (puller, request) -> puller.pull(request).resolution());
            helmCosts(registry, dir, "helm show chart, " + kind, List.of("show", "chart"), version, helmRuns);
            helmCosts(registry, dir, "helm pull, " + kind, List.of("pull"), version, helmRuns);
        }
    }

    private interface EngineCall {
        Resolution call(ChartPuller puller, PullRequest request);
    }

    private void engineCosts(
            BenchRegistry registry, Path dir, String operation, String version, int warmCalls, EngineCall call) {
        PullRequest request = registry.request("bench/web", version);
        Path store = dir.resolve("store-resolve");
        try (ChartPuller puller = new ChartPuller(store)) {
            double load0 = ProcFs.loadAverage();
            registry.resetCounts();
            long start = System.nanoTime();
            call.call(puller, request);
            double coldMillis = Stats.seconds(start) * 1000;
            RequestCounts cold = registry.counts(null);
            report.add(
                    SECTION,
                    "resolve",
                    ResolveCost.of(
                            registry,
                            "engine",
                            operation,
                            "cold (new ChartPuller, empty store)",
                            cold,
                            List.of(coldMillis),
                            1,
                            load0));

            load0 = ProcFs.loadAverage();
            registry.resetCounts();
            List<Double> millis = new ArrayList<>();
            for (int i = 0; i < warmCalls; i++) {
                long t = System.nanoTime();
                call.call(puller, request);
                millis.add(Stats.seconds(t) * 1000);
            }
            RequestCounts warm = registry.counts(null);
            report.add(
                    SECTION,
                    "resolve",
                    ResolveCost.of(
                            registry,
                            "engine",
                            operation,
                            "warm (token cached, content stored)",
                            warm,
                            millis,
                            2,
                            load0));
        }
        deleteTree(store);
    }

    private void helmCosts(
            BenchRegistry registry, Path dir, String operation, List<String> command, String version, int runs) {
        double load0 = ProcFs.loadAverage();
        registry.resetCounts();
        List<Double> millis = new ArrayList<>();
        Path out = createDirectories(dir.resolve("helm-out"));
        for (int i = 0; i < runs; i++) {
            List<String> args = new ArrayList<>(command);
            args.addAll(List.of(registry.fixture.ociUrl("bench/web"), "--version", version));
            if (command.get(0).equals("pull")) {
                args.addAll(List.of("-d", out.toString()));
            }
            args.addAll(HelmCli.connectionFlags(registry.fixture));
            millis.add(helm(registry, args).orThrow().seconds() * 1000);
        }
        RequestCounts counts = registry.counts(null);
        report.add(
                SECTION,
                "resolve",
                ResolveCost.of(
                        registry,
                        "helm " + Tools.version("helm"),
                        operation,
                        "each run a new process",
                        counts,
                        millis,
                        1,
                        load0));
        deleteTree(out);
    }

    // ----- whole processes: helm pull against helm-oci pull

    private void processes(BenchRegistry registry, Path dir, Chart typical, Chart mid) {
        registry.push("bench/" + mid.name(), mid.version(), mid.file());
        int runs = options.quick() ? 1 : 3;
        for (Chart chart : List.of(typical, mid)) {
            String repo = "bench/" + chart.name();
            Path out = dir.resolve("process-out");
            Path warmCache = dir.resolve("helm-oci-warm-cache");
            processRuns(registry, "helm pull", chart, runs, i -> helmPull(registry, repo, chart.version(), out));
            processRuns(
                    registry,
                    "helm-oci pull (empty cache)",
                    chart,
                    runs,
                    i -> helmOciPull(
                            registry,
                            repo,
                            chart.version(),
                            out,
                            dir.resolve("helm-oci-cache-" + chart.name() + "-" + i)));
            helmOciPull(registry, repo, chart.version(), out, warmCache).orThrow();
            processRuns(
                    registry,
                    "helm-oci pull (chart cached)",
                    chart,
                    runs,
                    i -> helmOciPull(registry, repo, chart.version(), out, warmCache));
            deleteTree(out);
        }
    }

    private void processRuns(
            BenchRegistry registry,
            String command,
            Chart chart,
            int runs,
            Function<Integer, MeasuredCommand.Measured> run) {
        double load0 = ProcFs.loadAverage();
        registry.resetCounts();
        List<Double> seconds = new ArrayList<>();
        double rss = 0;
        for (int i = 0; i < runs; i++) {
            MeasuredCommand.Measured measured = run.apply(i).orThrow();
            seconds.add(measured.seconds());
            rss = Math.max(rss, measured.peakRssMiB());
        }
        RequestCounts counts = registry.counts(null);
        report.add(
                SECTION,
                "processes",
                new ProcessRun(
                        registry.target.label(),
                        command,
                        chart.name() + " " + chart.version(),
                        chart.mib(),
                        runs,
                        Stats.round(Stats.median(seconds), 2),
                        Stats.round(rss, 1),
                        counts.registry() / (double) runs,
                        counts.tokens() / (double) runs,
                        counts.describe(runs),
                        new ProcFs.Load(load0, ProcFs.loadAverage())));
    }

    // ----- many references to one chart

    private void sharedContent(BenchRegistry registry, Path dir, Chart chart) throws Exception {
        int repositories = 5;
        int references = options.quick() ? 20 : 100;
        int threads = 8;
        for (int i = 0; i < repositories; i++) {
            registry.push("team-" + i + "/shared", chart.version(), chart.file());
        }
        String layer;
        try (ChartPuller probe = new ChartPuller(dir.resolve("store-probe"))) {
            layer = probe.inspect(registry.request("team-0/shared", chart.version()))
                    .chartLayer()
                    .digest();
        }
        deleteTree(dir.resolve("store-probe"));

        double load0 = ProcFs.loadAverage();
        registry.resetCounts();
        long start = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (ChartPuller puller = new ChartPuller(dir.resolve("store-shared"))) {
            List<Future<PullResult>> pulls = new ArrayList<>();
            for (int i = 0; i < references; i++) {
                // Half by exact version, half by range, as resources written by different teams would.
                PullRequest request = registry.request(
                        "team-" + (i % repositories) + "/shared", i % 2 == 0 ? chart.version() : "^1.0.0");
                pulls.add(pool.submit(() -> puller.pull(request)));
            }
            for (Future<PullResult> pull : pulls) {
                check(pull.get().contentDigest().equals(layer), "shared content digest");
            }
        } finally {
            pool.shutdownNow();
        }
        double seconds = Stats.seconds(start);
        RequestCounts counts = registry.counts(layer);
        report.add(
                SECTION,
                "sharedContent",
                new SharedContent(
                        registry.target.label(),
                        "engine, one ChartPuller",
                        references,
                        repositories,
                        threads,
                        chart.mib(),
                        counts.layerGets(),
                        Stats.round(counts.layerGets() * chart.mib(), 2),
                        Stats.round(counts.registry() / (double) references, 2),
                        counts.describe(references),
                        Stats.round(seconds, 2),
                        new ProcFs.Load(load0, ProcFs.loadAverage())));
        deleteTree(dir.resolve("store-shared"));

        int helmPulls = options.quick() ? 2 : 5;
        load0 = ProcFs.loadAverage();
        registry.resetCounts();
        start = System.nanoTime();
        for (int i = 0; i < helmPulls; i++) {
            helmPull(
                            registry,
                            "team-" + (i % repositories) + "/shared",
                            chart.version(),
                            dir.resolve("helm-shared-" + i))
                    .orThrow();
        }
        seconds = Stats.seconds(start);
        counts = registry.counts(layer);
        report.add(
                SECTION,
                "sharedContent",
                new SharedContent(
                        registry.target.label(),
                        "helm pull, one process each",
                        helmPulls,
                        Math.min(helmPulls, repositories),
                        1,
                        chart.mib(),
                        counts.layerGets(),
                        Stats.round(counts.layerGets() * chart.mib(), 2),
                        Stats.round(counts.registry() / (double) helmPulls, 2),
                        counts.describe(helmPulls),
                        Stats.round(seconds, 2),
                        new ProcFs.Load(load0, ProcFs.loadAverage())));
    }

    // ----- the CLIs

    private static MeasuredCommand.Measured helmPull(BenchRegistry registry, String repo, String version, Path out) {
        createDirectories(out); // helm pull -d does not create it
        List<String> args = new ArrayList<>(
                List.of("pull", registry.fixture.ociUrl(repo), "--version", version, "-d", out.toString()));
        args.addAll(HelmCli.connectionFlags(registry.fixture));
        return helm(registry, args).orThrow();
    }

    private static MeasuredCommand.Measured helm(BenchRegistry registry, List<String> args) {
        List<String> command = new ArrayList<>(List.of(Tools.helm().toString()));
        command.addAll(args);
        return MeasuredCommand.run(command, registry.helm.environment(), registry.helm.home(), null);
    }

    private static MeasuredCommand.Measured helmOciPull(
            BenchRegistry registry, String repo, String version, Path out, Path cache) {
        List<String> command = new ArrayList<>(List.of(
                HELM_OCI.toAbsolutePath().toString(),
                "pull",
                registry.fixture.ociUrl(repo),
                "--version",
                version,
                "-d",
                out.toString(),
                "--cache-dir",
                cache.toString()));
        command.addAll(registry.cliFlags());
        // An empty Docker config: the user's credentials are never read.
        return MeasuredCommand.run(
                command,
                Map.of("DOCKER_CONFIG", out.resolveSibling("no-docker-config").toString()),
                null,
                registry.cliStdin());
    }

    // ----- charts made for the run

    private Chart incompressible(String name, long bytes) {
        ChartArchiveBuilder builder = ChartArchiveBuilder.chart(name, "1.0.0");
        long left = bytes;
        for (int i = 0; left > 0; i++) {
            long size = Math.min(FILE_BYTES, left);
            builder.randomBytes(name + "/files/blob-" + i + ".bin", size, 42 + i);
            left -= size;
        }
        return write(name, "1.0.0", builder);
    }

    private Chart small(String name, String version) {
        return write(name, version, ChartArchiveBuilder.chart(name, version));
    }

    private Chart write(String name, String version, ChartArchiveBuilder builder) {
        try {
            // oras names the layer after the file and writes config.json beside it: one directory per archive.
            Path file = builder.writeTo(
                    Files.createDirectories(work.resolve("charts").resolve(name + "-" + version))
                            .resolve(name + "-" + version + ".tgz"));
            return new Chart(name, version, file, Stats.round(Files.size(file) / (double) MIB, 2));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ----- helpers

    static String slug(String label) {
        return label.toLowerCase().replaceAll("[^a-z0-9]+", "-").replaceAll("^-|-$", "");
    }

    static void check(boolean condition, String what) {
        if (!condition) {
            throw new IllegalStateException("benchmark sanity check failed: " + what);
        }
    }

    static Path createDirectories(Path dir) {
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
