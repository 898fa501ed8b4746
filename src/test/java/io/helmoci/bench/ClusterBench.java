package io.helmoci.bench;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.helmoci.operator.OperatorImage;
import io.helmoci.testbed.ClusterFixture;
import io.helmoci.testbed.HelmCli;
import io.helmoci.testbed.ProcessRunner;
import io.helmoci.testbed.RegistryImplementation;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The operator as users run it, in the pod of the test bed's real single-node cluster ({@link ClusterFixture},
 * the cluster {@code make cluster} starts): its image ({@code make image}) pushed to the cluster's registry,
 * installed with helm from this checkout's chart ({@code deploy/chart/helm-oci-operator}) with its default
 * values (memory limit, CPU limit and JVM flags as users get them, read back from the Deployment), then N
 * HelmOciCharts (the operator suite's M = 100 charts, {@link BenchCharts}) applied at once, until all are
 * Ready, and the steady state over a few intervals.
 *
 * <p>It answers whether the pod's memory stays inside its limit: the container's memory as the kernel
 * enforces it (the cgroup's usage and peak, page cache included), the Java process's RSS (its {@code /proc} on
 * the node), the limit, and the pod's restarts and last state (OOMKilled). The charts come from a registry
 * with anonymous token auth over TLS, as the operator suite's, listening on the host end of the cluster's veth
 * ({@link ClusterFixture#hostIp()}) so that the pod reaches it.
 */
final class ClusterBench {
    static final String SECTION = "cluster";
    private static final String RELEASE = "helm-oci-operator";
    private static final String RELEASE_NAMESPACE = "helm-oci-system";
    private static final Path CHART_DIR = Path.of("deploy", "chart", "helm-oci-operator");
    private static final String INSTANCE_LABEL = "app.kubernetes.io/instance";
    private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration READY_TIMEOUT = Duration.ofMinutes(10);
    private static final Path LOGS = Path.of("target", "bench-logs");

    private final BenchOptions options;
    private final BenchReport report;
    private final Path work;
    /** The highest cgroup peak of the phases so far (each phase starts the kernel's peak afresh). */
    private double cgroupPeakMiB;

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    ClusterBench(BenchOptions options, BenchReport report, Path work) {
        this.options = options;
        this.report = report;
        this.work = work;
    }

    /** How the operator runs: what the chart's defaults gave the Deployment, and where things are. */
    record Setup(
            double clusterStartSeconds,
            String cgroup,
            String image,
            String memoryRequest,
            String memoryLimit,
            double memoryLimitMiB,
            String cpuRequest,
            String cpuLimit,
            String javaToolOptions,
            String mallocArenaMax,
            String registry,
            double installSeconds,
            double idleCgroupMiB,
            double idleRssMiB,
            double startupCpuSeconds,
            ProcFs.Load load) {}

    /** N resources applied at once, until all are Ready: the pod's memory and CPU over that time. */
    record Sync(
            int resources,
            int charts,
            String version,
            double applySeconds,
            double firstReadySeconds,
            double halfReadySeconds,
            double allReadySeconds,
            int registryRequests,
            int tagLists,
            int manifestHeads,
            int manifestGets,
            int blobGets,
            int tokenRequests,
            String requests,
            String apiWrites,
            double cpuSeconds,
            double cgroupPeakMiB,
            double cgroupCurrentMiB,
            double cgroupAnonMiB,
            double cgroupFileMiB,
            double rssMiB,
            double peakRssMiB,
            double heapUsedMiB,
            double heapCommittedMiB,
            double heapMaxMiB,
            double nonHeapUsedMiB,
            String gc,
            ProcFs.Load load) {}

    /** The steady state: checks every interval, nothing new; the pod's memory at its idle and its peak. */
    record Steady(
            int resources,
            String interval,
            double windowSeconds,
            int registryRequests,
            String requests,
            String apiWrites,
            double cpuSeconds,
            double cpuSecondsPerInterval,
            String cgroupPeakSource,
            double cgroupPeakMiB,
            double cgroupMinMiB,
            double cgroupAtEndMiB,
            double cgroupAnonMiB,
            double cgroupFileMiB,
            double rssIdleMiB,
            double peakRssMiB,
            double heapUsedMiB,
            double heapCommittedMiB,
            double nonHeapUsedMiB,
            ProcFs.Load load) {}

    /**
     * Did the limit hold: the highest cgroup peak and RSS of the whole run against the limit, the pod's restarts
     * and last state, the cgroup's limit hits ({@code failcnt}: reclaim at the limit) and OOM kills.
     */
    record Verdict(
            double memoryLimitMiB,
            double cgroupPeakMiB,
            double peakRssMiB,
            double headroomMiB,
            long failcnt,
            long oomKills,
            int restartCount,
            String lastState,
            boolean oomKilled,
            boolean withinLimit) {}

    /** The operator's pod and its Java process on the node. */
    private record Operator(Pod pod, long pid, ContainerCgroup cgroup) {}

    void run() throws Exception {
        report.clear(SECTION);
        report.put(
                SECTION,
                "conditions",
                new EngineBench.Conditions(ProcFs.loadAverage(), ProcFs.otherBusyProcesses(2000)));
        long clusterStart = System.nanoTime();
        ClusterFixture cluster = ClusterFixture.shared(); // stopped by its shutdown hook when BenchMain exits
        double clusterSeconds = Stats.seconds(clusterStart);
        OperatorImage.Pushed image = OperatorImage.pushedTo(cluster);
        BenchRegistry.Target target =
                new BenchRegistry.Target(RegistryImplementation.DISTRIBUTION_V3, BenchRegistry.Mode.PUBLIC_TOKEN_TLS);
        int n = options.operatorCounts().stream()
                .mapToInt(Integer::intValue)
                .max()
                .orElseThrow();
        Duration interval = options.steadyInterval();
        Operator operator = null;
        Setup setup = null;
        try (BenchRegistry registry = BenchRegistry.start(target, work.resolve("registry"), cluster.hostIp())) {
            BenchCharts.push(registry, work);
            double load0 = ProcFs.loadAverage();
            long installStart = System.nanoTime();
            install(cluster, image);
            double installSeconds = Stats.seconds(installStart);
            operator = findOperator(cluster);
            ProcFs.sleep(5000); // let start-up work settle before the idle figure
            Deployment deployment = cluster.client()
                    .apps()
                    .deployments()
                    .inNamespace(RELEASE_NAMESPACE)
                    .withName(RELEASE)
                    .get();
            Container container =
                    deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
            setup = new Setup(
                    Stats.round(clusterSeconds, 1),
                    operator.cgroup().version() + " " + operator.cgroup().memoryDir(),
                    container.getImage(),
                    quantity(container.getResources().getRequests(), "memory"),
                    quantity(container.getResources().getLimits(), "memory"),
                    Stats.round(operator.cgroup().memory().limitMiB(), 1),
                    quantity(container.getResources().getRequests(), "cpu"),
                    quantity(container.getResources().getLimits(), "cpu"),
                    env(container, "JAVA_TOOL_OPTIONS"),
                    env(container, "MALLOC_ARENA_MAX"),
                    registry.target.label() + " at " + registry.fixture.host(),
                    Stats.round(installSeconds, 1),
                    Stats.round(operator.cgroup().memory().currentMiB(), 1),
                    Stats.round(ProcFs.statusMiB(operator.pid(), "VmRSS"), 1),
                    Stats.round(operator.cgroup().cpuSeconds(), 1),
                    new ProcFs.Load(load0, ProcFs.loadAverage()));
            report.put(SECTION, "setup", setup);

            String namespace = cluster.createNamespace("bench-cluster-" + n);
            cluster.kubectl(
                            "create",
                            "secret",
                            "generic",
                            "registry-ca",
                            "-n",
                            namespace,
                            "--from-file=ca.crt=" + registry.fixture.caFile())
                    .orThrow();
            Path manifest = BenchCharts.writeResources(registry, work, namespace, n, interval);
            sync(cluster, registry, operator, namespace, n, manifest);
            steady(cluster, registry, operator, n, interval);
        } finally {
            if (operator != null) {
                verdict(cluster, operator, setup);
            }
            keepLogs(cluster);
            report.put(
                    SECTION,
                    "conditionsAtEnd",
                    new EngineBench.Conditions(ProcFs.loadAverage(), ProcFs.otherBusyProcesses(2000)));
        }
    }

    /** The chart from this checkout with its default values; only the image is the one just pushed. */
    private void install(ClusterFixture cluster, OperatorImage.Pushed image) {
        HelmCli helm = new HelmCli(work.resolve("helm"));
        List<String> command = new ArrayList<>(List.of(
                helm.executable().toString(),
                "install",
                RELEASE,
                CHART_DIR.toAbsolutePath().toString(),
                "--namespace",
                RELEASE_NAMESPACE,
                "--create-namespace",
                "--set",
                "image.repository=" + image.repository(),
                "--set",
                "image.tag=" + image.tag()));
        if (nmt()) {
            command.addAll(
                    List.of("--set-string", "jvmOptions=" + chartJvmOptions() + " -XX:NativeMemoryTracking=summary"));
        }
        Map<String, String> env = new HashMap<>(helm.environment());
        env.put("KUBECONFIG", cluster.kubeconfig().toString());
        ProcessRunner.run(command, env, helm.home(), null, INSTALL_TIMEOUT).orThrow();
        cluster.awaitDeploymentReady(RELEASE_NAMESPACE, RELEASE, INSTALL_TIMEOUT);
    }

    private void sync(
            ClusterFixture cluster, BenchRegistry registry, Operator operator, String namespace, int n, Path manifest) {
        ContainerCgroup cgroup = operator.cgroup();
        cgroup.resetPeak();
        double load0 = ProcFs.loadAverage();
        double cpu0 = cgroup.cpuSeconds();
        registry.resetCounts();
        Map<String, Double> apiWrites0 = ApiServerMetrics.writes(cluster.client());
        ReadyTracker.Progress progress;
        double applied;
        try (ReadyTracker tracker = ReadyTracker.watch(cluster.client(), namespace)) {
            long start = System.nanoTime();
            cluster.kubectl("apply", "--server-side", "-f", manifest.toString()).orThrow();
            applied = Stats.seconds(start);
            progress = tracker.awaitAll(n, start, READY_TIMEOUT);
        }
        requireSameContainer(cluster, operator, "the cold sync");
        double cpu = cgroup.cpuSeconds() - cpu0;
        ContainerCgroup.Memory memory = cgroup.memory();
        RequestCounts counts = registry.counts(null);
        String writes = ApiServerMetrics.describe(
                ApiServerMetrics.difference(ApiServerMetrics.writes(cluster.client()), apiWrites0));
        JvmMetrics jvm = jvmMetrics(operator);
        cgroupPeakMiB = memory.peakMiB();
        report.put(
                SECTION,
                "sync",
                new Sync(
                        n,
                        BenchCharts.CHARTS * BenchCharts.VERSIONS.size(),
                        BenchCharts.VERSION_RANGE,
                        Stats.round(applied, 2),
                        Stats.round(progress.firstSeconds(), 2),
                        Stats.round(progress.halfSeconds(), 2),
                        Stats.round(progress.allSeconds(), 2),
                        counts.registry(),
                        counts.count("tags"),
                        counts.count("HEAD manifest"),
                        counts.count("GET manifest"),
                        counts.count("GET blob"),
                        counts.tokens(),
                        counts.describe(1),
                        writes,
                        Stats.round(cpu, 1),
                        Stats.round(memory.peakMiB(), 1),
                        Stats.round(memory.currentMiB(), 1),
                        Stats.round(memory.anonMiB(), 1),
                        Stats.round(memory.fileMiB(), 1),
                        Stats.round(ProcFs.statusMiB(operator.pid(), "VmRSS"), 1),
                        Stats.round(ProcFs.statusMiB(operator.pid(), "VmHWM"), 1),
                        Stats.round(jvm.heapUsedMiB(), 1),
                        Stats.round(jvm.heapCommittedMiB(), 1),
                        Stats.round(jvm.heapMaxMiB(), 1),
                        Stats.round(jvm.nonHeapUsedMiB(), 1),
                        jvm.gc(),
                        new ProcFs.Load(load0, ProcFs.loadAverage())));
    }

    private void steady(ClusterFixture cluster, BenchRegistry registry, Operator operator, int n, Duration interval) {
        Duration window = options.steadyWindow();
        System.out.println("[bench] cluster steady state: " + n + " resources, interval " + interval + ", watching for "
                + window + " after " + interval.dividedBy(2));
        ProcFs.sleep(interval.dividedBy(2).toMillis());
        ContainerCgroup cgroup = operator.cgroup();
        // The cold sync's peak is in the sync row; from here on the steady state's own (when the kernel lets us reset
        // it).
        boolean reset = cgroup.resetPeak();
        double load0 = ProcFs.loadAverage();
        double cpu0 = cgroup.cpuSeconds();
        registry.resetCounts();
        Map<String, Double> apiWrites0 = ApiServerMetrics.writes(cluster.client());
        long start = System.nanoTime();
        long end = start + window.toNanos();
        double min = Double.MAX_VALUE;
        double maxSampled = 0;
        while (System.nanoTime() < end) {
            if (!Files.isDirectory(cgroup.memoryDir())) {
                requireSameContainer(cluster, operator, "the steady state");
            }
            double current = cgroup.memory().currentMiB();
            min = Math.min(min, current);
            maxSampled = Math.max(maxSampled, current);
            ProcFs.sleep(Math.min(1000, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
        }
        double seconds = Stats.seconds(start);
        requireSameContainer(cluster, operator, "the steady state");
        double cpu = cgroup.cpuSeconds() - cpu0;
        ContainerCgroup.Memory memory = cgroup.memory();
        RequestCounts counts = registry.counts(null);
        String writes = ApiServerMetrics.describe(
                ApiServerMetrics.difference(ApiServerMetrics.writes(cluster.client()), apiWrites0));
        JvmMetrics jvm = jvmMetrics(operator);
        double steadyPeak = Math.max(memory.peakMiB(), maxSampled);
        cgroupPeakMiB = reset ? Math.max(cgroupPeakMiB, steadyPeak) : steadyPeak;
        report.put(
                SECTION,
                "steadyState",
                new Steady(
                        n,
                        BenchCharts.goDuration(interval),
                        Stats.round(seconds, 1),
                        counts.registry(),
                        counts.describe(1),
                        writes,
                        Stats.round(cpu, 2),
                        Stats.round(cpu / (seconds / interval.toSeconds()), 2),
                        reset ? memory.peakSource() + ", reset after the sync" : memory.peakSource() + ", since start",
                        Stats.round(steadyPeak, 1),
                        Stats.round(min, 1),
                        Stats.round(memory.currentMiB(), 1),
                        Stats.round(memory.anonMiB(), 1),
                        Stats.round(memory.fileMiB(), 1),
                        Stats.round(ProcFs.statusMiB(operator.pid(), "VmRSS"), 1),
                        Stats.round(ProcFs.statusMiB(operator.pid(), "VmHWM"), 1),
                        Stats.round(jvm.heapUsedMiB(), 1),
                        Stats.round(jvm.heapCommittedMiB(), 1),
                        Stats.round(jvm.nonHeapUsedMiB(), 1),
                        new ProcFs.Load(load0, ProcFs.loadAverage())));
        if (nmt()) {
            nativeMemory(operator);
        }
    }

    /**
     * The figures of a phase are the measured container's only: a restart (a lost leader lease, a failed
     * probe, an OOM kill) ends the run with its reason; the verdict and the logs (the previous container's
     * too) are still written.
     */
    private static void requireSameContainer(ClusterFixture cluster, Operator operator, String phase) {
        Pod pod = cluster.client()
                .pods()
                .inNamespace(RELEASE_NAMESPACE)
                .withName(operator.pod().getMetadata().getName())
                .get();
        ContainerStatus status =
                pod == null ? null : pod.getStatus().getContainerStatuses().get(0);
        if (status == null || status.getRestartCount() > 0) {
            throw new IllegalStateException("the operator's container restarted during " + phase + " ("
                    + (status == null ? "its pod is gone" : describe(status))
                    + "): see target/bench-logs/cluster-operator-previous.log");
        }
    }

    /** The limit held when the container never restarted, was never OOM-killed and its peak stayed under the limit. */
    private void verdict(ClusterFixture cluster, Operator operator, Setup setup) {
        Pod pod = cluster.client()
                .pods()
                .inNamespace(RELEASE_NAMESPACE)
                .withName(operator.pod().getMetadata().getName())
                .get();
        ContainerStatus status =
                pod == null ? null : pod.getStatus().getContainerStatuses().get(0);
        int restarts = status == null ? -1 : status.getRestartCount();
        String lastState = status == null || status.getLastState() == null ? "" : describe(status);
        boolean oomKilled = lastState.contains("OOMKilled");
        double peakRss = Double.NaN;
        ContainerCgroup.Memory memory = null;
        try {
            peakRss = ProcFs.statusMiB(operator.pid(), "VmHWM");
            memory = operator.cgroup().memory();
        } catch (RuntimeException e) {
            System.out.println("[bench] the operator's process or cgroup is gone: " + e.getMessage());
        }
        double limit = setup == null ? Double.NaN : setup.memoryLimitMiB();
        double peak = memory == null ? Double.NaN : Math.max(memory.peakMiB(), cgroupPeakMiB);
        long oomKills = memory == null ? -1 : memory.oomKills();
        report.put(
                SECTION,
                "verdict",
                new Verdict(
                        limit,
                        Stats.round(peak, 1),
                        Stats.round(peakRss, 1),
                        Stats.round(limit - Math.max(peak, peakRss), 1),
                        memory == null ? -1 : memory.failcnt(),
                        oomKills,
                        restarts,
                        lastState,
                        oomKilled,
                        restarts == 0 && !oomKilled && oomKills == 0 && peak < limit && peakRss < limit));
    }

    private static String describe(ContainerStatus status) {
        var last = status.getLastState();
        if (last.getTerminated() != null) {
            return "terminated: " + last.getTerminated().getReason() + " (exit "
                    + last.getTerminated().getExitCode() + ")";
        }
        return last.getRunning() != null ? "running" : last.getWaiting() != null ? "waiting" : "";
    }

    /** The single operator pod, its container's Java process on the node and its cgroup. */
    private static Operator findOperator(ClusterFixture cluster) {
        List<Pod> pods = cluster
                .client()
                .pods()
                .inNamespace(RELEASE_NAMESPACE)
                .withLabel(INSTANCE_LABEL, RELEASE)
                .list()
                .getItems()
                .stream()
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                .toList();
        EngineBench.check(pods.size() == 1, "one operator pod (found " + pods.size() + ")");
        Pod pod = pods.get(0);
        long pid = cluster.containerPid(
                pod.getStatus().getContainerStatuses().get(0).getContainerID());
        EngineBench.check(
                "java".equals(comm(pid)),
                "the container's main process is java (the image's entrypoint), not " + comm(pid));
        return new Operator(pod, pid, ContainerCgroup.of(pid));
    }

    private static String comm(long pid) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), "comm"))
                    .strip();
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    /** Heap and GC from the pod's own metrics, at the pod IP (the host routes the cluster's range). */
    private JvmMetrics jvmMetrics(Operator operator) {
        URI url = URI.create("http://" + operator.pod().getStatus().getPodIP() + ":8080/q/metrics");
        try {
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            EngineBench.check(response.statusCode() == 200, "GET " + url + " answers 200");
            return JvmMetrics.parse(response.body());
        } catch (IOException e) {
            throw new IllegalStateException("GET " + url, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * With {@code NMT=1}: the JVM's own account of its native memory, by the node's jcmd attached to the
     * container's process (root may attach; the JVM's attach file lives in the pod's /tmp, which the node
     * reaches through /proc/PID/root).
     */
    private static void nativeMemory(Operator operator) {
        ProcessRunner.Result nmt = ProcessRunner.run(
                List.of("jcmd", Long.toString(operator.pid()), "VM.native_memory", "summary", "scale=MB"));
        try {
            Path file = Files.createDirectories(LOGS).resolve("cluster-nmt.txt");
            Files.writeString(file, nmt.stdout() + nmt.stderr());
            System.out.println("[bench] native memory summary (exit " + nmt.exitCode() + ") in " + file);
        } catch (IOException e) {
            System.out.println("[bench] cannot keep the native memory summary: " + e);
        }
    }

    private static boolean nmt() {
        return "1".equals(System.getenv("NMT"));
    }

    /** {@code jvmOptions} of the chart's values.yaml: the JVM flags every install gets. */
    private static String chartJvmOptions() {
        try {
            var values = new com.fasterxml.jackson.databind.ObjectMapper(
                            new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
                    .readTree(CHART_DIR.resolve("values.yaml").toFile());
            return values.path("jvmOptions").asText();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + CHART_DIR.resolve("values.yaml"), e);
        }
    }

    /**
     * The operator's log (and its previous container's, after a restart) and the last lines of every cluster
     * component's log (API server, kubelet, ...) stay in target/bench-logs.
     */
    private static void keepLogs(ClusterFixture cluster) {
        try {
            Path logs = Files.createDirectories(LOGS);
            Files.writeString(logs.resolve("cluster-components.log"), cluster.recentLogs());
            for (boolean previous : new boolean[] {false, true}) {
                List<String> args = new ArrayList<>(
                        List.of("logs", "-n", RELEASE_NAMESPACE, "-l", INSTANCE_LABEL + "=" + RELEASE, "--tail", "-1"));
                if (previous) {
                    args.add("--previous");
                }
                ProcessRunner.Result result = cluster.kubectl(args.toArray(String[]::new));
                if (result.exitCode() == 0 && !result.stdout().isBlank()) {
                    Files.writeString(
                            logs.resolve("cluster-operator" + (previous ? "-previous" : "") + ".log"), result.stdout());
                }
            }
        } catch (IOException | RuntimeException e) {
            System.out.println("[bench] cannot keep the operator's log: " + e);
        }
    }

    private static String quantity(Map<String, Quantity> quantities, String name) {
        Quantity quantity = quantities == null ? null : quantities.get(name);
        return quantity == null ? "none" : quantity.toString();
    }

    private static String env(Container container, String name) {
        return container.getEnv().stream()
                .filter(e -> e.getName().equals(name))
                .map(EnvVar::getValue)
                .findFirst()
                .orElse("(not set)");
    }
}
