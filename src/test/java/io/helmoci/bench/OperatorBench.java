package io.helmoci.bench;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.helmoci.operator.api.v1alpha1.HelmOciChart;
import io.helmoci.testbed.KubeApiServerFixture;
import io.helmoci.testbed.OperatorProcess;
import io.helmoci.testbed.ProcessRunner;
import io.helmoci.testbed.RegistryImplementation;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The packaged operator as a process against a real kube-apiserver and a real registry: N
 * HelmOciCharts applied at once with kubectl, the time until all are Ready, what the registry saw,
 * the operator's memory and CPU; then, on the last round, the steady state over a few intervals.
 *
 * <p>The registry hands out anonymous pull tokens over TLS, as a public GHCR package does (Flux's
 * published benchmark pulled from GHCR). Each round runs a fresh operator with an empty store, so
 * every round downloads its charts, and deletes its resources before the next one starts.
 */
final class OperatorBench {
    static final String SECTION = "operator";
    /** M = 100 distinct chart versions in 10 repositories (see {@link BenchCharts}). */
    private static final int CHARTS = BenchCharts.CHARTS;

    private static final String VERSION_RANGE = BenchCharts.VERSION_RANGE;

    private static final Duration READY_TIMEOUT = Duration.ofMinutes(5);
    /** New resources created one at a time after the steady state, for the Ready p50/p95. */
    private static final int NEW_RESOURCES = 50;

    private static final Duration DELETE_TIMEOUT = Duration.ofMinutes(2);
    private static final Path LOGS = Path.of("target", "bench-logs");

    private final BenchOptions options;
    private final BenchReport report;
    private final Path work;

    OperatorBench(BenchOptions options, BenchReport report, Path work) {
        this.options = options;
        this.report = report;
        this.work = work;
    }

    /** N resources applied at once, until all are Ready. */
    record Round(
            int resources,
            int charts,
            String version,
            String registry,
            double operatorStartupSeconds,
            double applySeconds,
            double firstReadySeconds,
            double halfReadySeconds,
            double allReadySeconds,
            double readyPerSecond,
            int registryRequests,
            double registryRequestsPerResource,
            int tagLists,
            int manifestHeads,
            int manifestGets,
            int blobGets,
            int tokenRequests,
            String requests,
            double operatorCpuSeconds,
            double idleRssMiB,
            double peakRssMiB,
            double heapUsedMiB,
            double heapCommittedMiB,
            double liveHeapMiB,
            double heapMaxMiB,
            String operatorJvm,
            String apiWrites,
            ProcFs.Load load) {}

    /** One new resource at a time with the operator warm: from the create request until it is Ready. */
    record NewResourceReady(int resources, double p50Seconds, double p95Seconds, double maxSeconds, ProcFs.Load load) {}

    /**
     * The steady state: what each interval costs per resource. A check is one reconciliation (each sends one
     * manifest HEAD); the interval's jitter (up to +10%) puts checks per resource per interval a little under 1.
     * Beside the registry's requests, the API server's: status patches (requests to the status subresource,
     * from the API server's own {@code apiserver_request_total}) and status writes (the resources' changes
     * seen by a watch; a patch that changes nothing is a request but no write).
     */
    record Steady(
            int resources,
            String interval,
            double windowSeconds,
            int checks,
            double checksPerResourcePerInterval,
            int registryRequests,
            double registryRequestsPerCheck,
            double tagListsPerCheck,
            int tokenRequests,
            String requests,
            int statusPatches,
            double statusPatchesPerResourcePerInterval,
            int statusWrites,
            String apiWrites,
            double operatorCpuSeconds,
            double cpuShareOfOneCore,
            double rssMiB,
            double peakRssMiB,
            double heapUsedMiB,
            double heapCommittedMiB,
            double liveHeapMiB,
            ProcFs.Load load) {}

    void run() throws Exception {
        report.clear(SECTION);
        report.put(
                SECTION,
                "conditions",
                new EngineBench.Conditions(ProcFs.loadAverage(), ProcFs.otherBusyProcesses(2000)));
        check(
                Files.isRegularFile(OperatorProcess.JAR),
                OperatorProcess.JAR + " (run 'mvn package' first; make bench does)");
        BenchRegistry.Target target =
                new BenchRegistry.Target(RegistryImplementation.DISTRIBUTION_V3, BenchRegistry.Mode.PUBLIC_TOKEN_TLS);
        try (KubeApiServerFixture kube = KubeApiServerFixture.start();
                BenchRegistry registry = BenchRegistry.start(target, work.resolve("registry"))) {
            kube.applyProjectCrds();
            BenchCharts.push(registry, work);
            List<Integer> counts = options.operatorCounts();
            for (int i = 0; i < counts.size(); i++) {
                round(kube, registry, counts.get(i), i == counts.size() - 1);
            }
        }
        report.put(
                SECTION,
                "conditionsAtEnd",
                new EngineBench.Conditions(ProcFs.loadAverage(), ProcFs.otherBusyProcesses(2000)));
    }

    private void round(KubeApiServerFixture kube, BenchRegistry registry, int n, boolean steady) throws Exception {
        String namespace = kube.createNamespace("bench-" + n);
        kube.kubectl(
                        "create",
                        "secret",
                        "generic",
                        "registry-ca",
                        "-n",
                        namespace,
                        "--from-file=ca.crt=" + registry.fixture.caFile())
                .orThrow();
        Duration interval = steady ? options.steadyInterval() : Duration.ofMinutes(10);
        Path manifest = BenchCharts.writeResources(registry, work, namespace, n, interval);
        Path dir = work.resolve("operator-" + n);

        long startupStart = System.nanoTime();
        try (OperatorProcess operator = OperatorProcess.start(
                kube.kubeconfig(),
                dir,
                // The shipped minimum interval (the test bed lowers it to 1 s): it also sets the reuse windows of
                // tag lists and manifest HEADs (half of it), as users get them. A Lease of its own per round: the
                // previous round's operator held the shared one, and its successor would wait for it to expire (15 s).
                Map.of(
                        "helmoci.reconcile.min-interval",
                        "10s",
                        "helmoci.leader-election.lease-name",
                        "helm-oci-operator-bench-" + n),
                operatorJvmOptions())) {
            double startup = Stats.seconds(startupStart);
            long pid = pidOf(dir);
            ProcFs.sleep(2000); // let start-up work settle before the idle figure
            double idleRss = ProcFs.statusMiB(pid, "VmRSS");
            double cpu0 = ProcFs.cpuSeconds(pid);
            double load0 = ProcFs.loadAverage();
            registry.resetCounts();

            Map<String, Double> apiWrites0 = ApiServerMetrics.writes(kube.client());
            ReadyTracker tracker = ReadyTracker.watch(kube.client(), namespace);
            long start = System.nanoTime();
            kube.kubectl("apply", "--server-side", "-f", manifest.toString()).orThrow();
            double applied = Stats.seconds(start);
            ReadyTracker.Progress progress;
            try {
                progress = tracker.awaitAll(n, start, READY_TIMEOUT);
            } catch (IllegalStateException e) {
                throw operator.withLogAttached(e);
            }
            double first = progress.firstSeconds();
            double half = progress.halfSeconds();
            double allReady = progress.allSeconds();
            String coldWrites = ApiServerMetrics.describe(
                    ApiServerMetrics.difference(ApiServerMetrics.writes(kube.client()), apiWrites0));
            double cpu = ProcFs.cpuSeconds(pid) - cpu0;
            RequestCounts counts = registry.counts(null);
            ProcFs.Load load = new ProcFs.Load(load0, ProcFs.loadAverage());
            JvmMetrics before = jvmMemory(operator);
            ProcessRunner.run(List.of("jcmd", Long.toString(pid), "GC.run")).orThrow();
            JvmMetrics live = jvmMemory(operator);
            report.add(
                    SECTION,
                    "rounds",
                    new Round(
                            n,
                            CHARTS,
                            VERSION_RANGE,
                            registry.target.label(),
                            Stats.round(startup, 1),
                            Stats.round(applied, 2),
                            Stats.round(first, 2),
                            Stats.round(half, 2),
                            Stats.round(allReady, 2),
                            Stats.round(n / allReady, 1),
                            counts.registry(),
                            Stats.round(counts.registry() / (double) n, 2),
                            counts.count("tags"),
                            counts.count("HEAD manifest"),
                            counts.count("GET manifest"),
                            counts.count("GET blob"),
                            counts.tokens(),
                            counts.describe(1),
                            Stats.round(cpu, 1),
                            Stats.round(idleRss, 1),
                            Stats.round(ProcFs.statusMiB(pid, "VmHWM"), 1),
                            Stats.round(before.heapUsedMiB(), 1),
                            Stats.round(before.heapCommittedMiB(), 1),
                            Stats.round(live.heapUsedMiB(), 1),
                            Stats.round(live.heapMaxMiB(), 1),
                            live.gc(),
                            coldWrites,
                            load));
            if (steady) {
                steadyState(kube, namespace, registry, operator, pid, n, interval);
                newResourceReady(kube, registry, namespace, tracker, interval);
            }
            tracker.close();
            deleteAll(kube, namespace, operator);
        }
        keepLog(dir.resolve("operator.log"), n);
        EngineBench.deleteTree(dir);
    }

    private void steadyState(
            KubeApiServerFixture kube,
            String namespace,
            BenchRegistry registry,
            OperatorProcess operator,
            long pid,
            int n,
            Duration interval) {
        Duration window = options.steadyWindow();
        // Every resource was just checked: start half an interval later, so the window holds whole intervals of checks.
        System.out.println("[bench] steady state: " + n + " resources, interval " + interval + ", watching for "
                + window + " after " + interval.dividedBy(2));
        ProcFs.sleep(interval.dividedBy(2).toMillis());
        double load0 = ProcFs.loadAverage();
        double cpu0 = ProcFs.cpuSeconds(pid);
        registry.resetCounts();
        AtomicInteger statusWrites = new AtomicInteger();
        double patches0 = ApiServerMetrics.statusPatches(kube.client());
        Map<String, Double> apiWrites0 = ApiServerMetrics.writes(kube.client());
        long start = System.nanoTime();
        long end = start + window.toNanos();
        double peakRss = 0;
        try (Watch watch = kube.client()
                .resources(HelmOciChart.class)
                .inNamespace(namespace)
                .watch(new Watcher<>() {
                    @Override
                    public void eventReceived(Action action, HelmOciChart resource) {
                        if (action == Action.MODIFIED) {
                            statusWrites.incrementAndGet();
                        }
                    }

                    @Override
                    public void onClose(WatcherException cause) {}
                })) {
            while (System.nanoTime() < end) {
                peakRss = Math.max(peakRss, ProcFs.statusMiB(pid, "VmRSS"));
                ProcFs.sleep(Math.min(1000, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
            }
        }
        double seconds = Stats.seconds(start);
        int patches = (int) Math.round(ApiServerMetrics.statusPatches(kube.client()) - patches0);
        String steadyWrites = ApiServerMetrics.describe(
                ApiServerMetrics.difference(ApiServerMetrics.writes(kube.client()), apiWrites0));
        double cpu = ProcFs.cpuSeconds(pid) - cpu0;
        RequestCounts counts = registry.counts(null);
        int checks = counts.count("HEAD manifest");
        double rss = ProcFs.statusMiB(pid, "VmRSS");
        JvmMetrics memory = jvmMemory(operator);
        ProcessRunner.run(List.of("jcmd", Long.toString(pid), "GC.run")).orThrow();
        JvmMetrics live = jvmMemory(operator);
        report.add(
                SECTION,
                "steadyState",
                new Steady(
                        n,
                        BenchCharts.goDuration(interval),
                        Stats.round(seconds, 1),
                        checks,
                        Stats.round(checks / (double) n / (seconds / interval.toSeconds()), 2),
                        counts.registry(),
                        Stats.round(counts.registry() / (double) Math.max(1, checks), 2),
                        Stats.round(counts.count("tags") / (double) Math.max(1, checks), 2),
                        counts.tokens(),
                        counts.describe(1),
                        patches,
                        Stats.round(patches / (double) n / (seconds / interval.toSeconds()), 2),
                        statusWrites.get(),
                        steadyWrites,
                        Stats.round(cpu, 2),
                        Stats.round(cpu / seconds, 3),
                        Stats.round(rss, 1),
                        Stats.round(Math.max(peakRss, ProcFs.statusMiB(pid, "VmHWM")), 1),
                        Stats.round(memory.heapUsedMiB(), 1),
                        Stats.round(memory.heapCommittedMiB(), 1),
                        Stats.round(live.heapUsedMiB(), 1),
                        new ProcFs.Load(load0, ProcFs.loadAverage())));
    }

    /** NEW_RESOURCES created one at a time while the operator is warm: how long until each is Ready. */
    private void newResourceReady(
            KubeApiServerFixture kube,
            BenchRegistry registry,
            String namespace,
            ReadyTracker tracker,
            Duration interval) {
        double load0 = ProcFs.loadAverage();
        List<Double> seconds = new ArrayList<>();
        for (int i = 0; i < NEW_RESOURCES; i++) {
            String name = "new-" + i;
            HelmOciChart chart = kube.client()
                    .getKubernetesSerialization()
                    .unmarshal(BenchCharts.resourceYaml(registry, namespace, name, i, interval), HelmOciChart.class);
            long start = System.nanoTime();
            kube.client().resource(chart).create();
            if (!tracker.awaitReady(name, READY_TIMEOUT.toMillis())) {
                throw new IllegalStateException(name + " not Ready after " + READY_TIMEOUT);
            }
            seconds.add(Stats.seconds(start));
        }
        report.put(
                SECTION,
                "newResourceReady",
                new NewResourceReady(
                        NEW_RESOURCES,
                        Stats.round(Stats.percentile(seconds, 50), 3),
                        Stats.round(Stats.percentile(seconds, 95), 3),
                        Stats.round(seconds.stream().mapToDouble(d -> d).max().orElse(0), 3),
                        new ProcFs.Load(load0, ProcFs.loadAverage())));
        System.out.println("[bench] new resource Ready over " + NEW_RESOURCES + ": p50 " + Stats.percentile(seconds, 50)
                + " s, p95 " + Stats.percentile(seconds, 95) + " s");
    }

    static boolean isReady(HelmOciChart chart) {
        if (chart.getStatus() == null
                || chart.getStatus().getConditions() == null
                || !Objects.equals(
                        chart.getStatus().getObservedGeneration(),
                        chart.getMetadata().getGeneration())) {
            return false;
        }
        return chart.getStatus().getConditions().stream().anyMatch(c -> isTrue(c, "Ready"));
    }

    private static boolean isTrue(Condition condition, String type) {
        return type.equals(condition.getType()) && "True".equals(condition.getStatus());
    }

    /** Deletes the round's resources while the operator runs (it removes its finalizers), so the next operator starts clean. */
    private static void deleteAll(KubeApiServerFixture kube, String namespace, OperatorProcess operator) {
        kube.kubectl("delete", "helmocicharts", "--all", "-n", namespace, "--wait=false")
                .orThrow();
        long deadline = System.nanoTime() + DELETE_TIMEOUT.toNanos();
        while (!kube.client()
                .resources(HelmOciChart.class)
                .inNamespace(namespace)
                .list()
                .getItems()
                .isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw operator.withLogAttached(new IllegalStateException(
                        "HelmOciCharts in " + namespace + " not deleted after " + DELETE_TIMEOUT));
            }
            ProcFs.sleep(250);
        }
    }

    /** The Deployment's JVM settings, which tools/bench.sh passes in BENCH_OPERATOR_JVM_OPTIONS (none: the JVM's defaults). */
    static List<String> operatorJvmOptions() {
        String options =
                System.getenv().getOrDefault("BENCH_OPERATOR_JVM_OPTIONS", "").strip();
        return options.isEmpty() ? List.of() : List.of(options.split("\\s+"));
    }

    /** The operator's log stays in target/bench-logs for a look after the run. */
    private static void keepLog(Path log, int n) throws IOException {
        if (Files.isRegularFile(log)) {
            Path logs = Files.createDirectories(LOGS);
            Files.copy(log, logs.resolve("operator-" + n + ".log"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** The operator's JVM: found among this JVM's children by the store directory it was given. */
    private static long pidOf(Path dir) {
        String marker = "-Dhelmoci.store.path=" + dir.resolve("store");
        return ProcessHandle.current()
                .children()
                .filter(h -> h.info()
                        .arguments()
                        .map(args -> List.of(args).contains(marker))
                        .orElse(false))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no operator process with " + marker))
                .pid();
    }

    /** Heap in use and its maximum, from the operator's Prometheus metrics (Micrometer's JVM binder). */
    private static JvmMetrics jvmMemory(OperatorProcess operator) {
        HttpResponse<byte[]> response = operator.get("/q/metrics");
        check(response.statusCode() == 200, "/q/metrics answers 200");
        return JvmMetrics.parse(new String(response.body(), StandardCharsets.UTF_8));
    }

    private static void check(boolean condition, String what) {
        EngineBench.check(condition, what);
    }
}
