package io.helmoci.bench;

import io.helmoci.operator.api.v1alpha1.HelmOciChart;
import io.helmoci.testbed.ChartArchiveBuilder;
import io.helmoci.testbed.KubeApiServerFixture;
import io.helmoci.testbed.OperatorProcess;
import io.helmoci.testbed.RateLimitingRegistryFront;
import io.helmoci.testbed.RegistryImplementation;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The registry rate-limits for a minute: N HelmOciCharts are Ready, then every request to the
 * registry is answered 429 with {@code Retry-After} for {@link #THROTTLE}, then it takes requests
 * again. Counts the requests sent while it throttled (the target: at most one per Retry-After), how
 * many resources said {@code RateLimited}, and how long after the registry recovered all were Ready
 * again (the target: within one interval). The registry is a real one (anonymous, plain HTTP) behind
 * a scripted proxy that answers the 429s.
 */
final class ThrottledBench {
    static final String SECTION = "throttled";
    private static final int RESOURCES = 100;
    private static final int CHARTS = 10;
    private static final Duration THROTTLE = Duration.ofMinutes(1);
    private static final int RETRY_AFTER_SECONDS = 10;

    private final BenchOptions options;
    private final BenchReport report;
    private final Path work;

    ThrottledBench(BenchOptions options, BenchReport report, Path work) {
        this.options = options;
        this.report = report;
        this.work = work;
    }

    record Throttled(
            int resources,
            String interval,
            double throttleSeconds,
            int retryAfterSeconds,
            int requestsWhileThrottled,
            int atMostOnePerRetryAfter,
            int rateLimitedResources,
            double recoverySeconds,
            int requestsDuringRecovery,
            ProcFs.Load load) {}

    void run() throws Exception {
        report.clear(SECTION);
        BenchRegistry.Target target =
                new BenchRegistry.Target(RegistryImplementation.DISTRIBUTION_V3, BenchRegistry.Mode.ANONYMOUS_HTTP);
        try (KubeApiServerFixture kube = KubeApiServerFixture.start();
                BenchRegistry registry = BenchRegistry.start(target, work.resolve("registry"));
                RateLimitingRegistryFront proxy =
                        RateLimitingRegistryFront.start(registry.fixture.baseUrl(), RETRY_AFTER_SECONDS)) {
            kube.applyProjectCrds();
            for (int c = 0; c < CHARTS; c++) {
                Path dir = Files.createDirectories(work.resolve("charts").resolve("app-" + c));
                registry.push(
                        "bench/app-" + c,
                        "1.0.0",
                        ChartArchiveBuilder.chart("app-" + c, "1.0.0").writeTo(dir.resolve("app-" + c + ".tgz")));
            }
            String namespace = kube.createNamespace("throttled");
            Duration interval = options.steadyInterval();
            StringBuilder yaml = new StringBuilder();
            for (int i = 0; i < RESOURCES; i++) {
                yaml.append("""
                        apiVersion: helmoci.io/v1alpha1
                        kind: HelmOciChart
                        metadata: {name: chart-%d, namespace: %s}
                        spec:
                          url: oci://%s/bench/app-%d
                          version: "%s"
                          interval: %ds
                          insecure: true
                        ---
                        """.formatted(
                                i,
                                namespace,
                                proxy.hostPort(),
                                i % CHARTS,
                                i % 2 == 0 ? "1.0.0" : "^1.0.0",
                                interval.toSeconds()));
            }
            Path manifest = Files.writeString(work.resolve("throttled.yaml"), yaml, StandardCharsets.UTF_8);
            try (OperatorProcess operator = OperatorProcess.start(
                            kube.kubeconfig(),
                            work.resolve("operator"),
                            Map.of("helmoci.reconcile.min-interval", "10s"),
                            OperatorBench.operatorJvmOptions());
                    ReadyTracker tracker = ReadyTracker.watch(kube.client(), namespace)) {
                kube.kubectl("apply", "--server-side", "-f", manifest.toString())
                        .orThrow();
                awaitAllReady(tracker, operator, Duration.ofMinutes(5));
                double load0 = ProcFs.loadAverage();
                System.out.println("[bench] throttled: " + RESOURCES + " Ready; the registry answers 429 (Retry-After "
                        + RETRY_AFTER_SECONDS + "s) for " + THROTTLE);

                proxy.limit(true);
                long start = System.nanoTime();
                ProcFs.sleep(THROTTLE.toMillis());
                proxy.limit(false);
                double throttled = Stats.seconds(start);
                int sent = proxy.sentWhileLimited();
                int rateLimited = (int)
                        kube.client().resources(HelmOciChart.class).inNamespace(namespace).list().getItems().stream()
                                .filter(c -> c.getStatus() != null
                                        && c.getStatus().getConditions() != null
                                        && c.getStatus().getConditions().stream()
                                                .anyMatch(cond -> "Ready".equals(cond.getType())
                                                        && "RateLimited".equals(cond.getReason())))
                                .count();

                int forwarded0 = proxy.forwarded();
                long recoveryStart = System.nanoTime();
                awaitAllReady(tracker, operator, interval.multipliedBy(3));
                double recovery = Stats.seconds(recoveryStart);
                int duringRecovery = proxy.forwarded() - forwarded0;
                Throttled row = new Throttled(
                        RESOURCES,
                        interval.toSeconds() + "s",
                        Stats.round(throttled, 1),
                        RETRY_AFTER_SECONDS,
                        sent,
                        (int) (throttled / RETRY_AFTER_SECONDS) + 1,
                        rateLimited,
                        Stats.round(recovery, 1),
                        duringRecovery,
                        new ProcFs.Load(load0, ProcFs.loadAverage()));
                report.add(SECTION, "rounds", row);
            }
        }
    }

    private static void awaitAllReady(ReadyTracker tracker, OperatorProcess operator, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (tracker.ready() < RESOURCES) {
            if (System.nanoTime() > deadline) {
                throw operator.withLogAttached(new IllegalStateException(
                        tracker.ready() + " of " + RESOURCES + " HelmOciCharts Ready after " + timeout));
            }
            tracker.awaitChange(100);
        }
    }
}
