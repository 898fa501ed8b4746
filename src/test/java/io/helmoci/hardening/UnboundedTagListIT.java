package io.helmoci.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Condition;
import io.helmoci.operator.Constants;
import io.helmoci.operator.api.v1alpha1.HelmOciChart;
import io.helmoci.testbed.HostileRegistry;
import io.helmoci.testbed.KubeApiServerFixture;
import io.helmoci.testbed.OperatorProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 7, defect 1: a registry whose tag-list pages are each under the 4 MiB per-page cap, with a
 * {@code Link} to a further page without end. With a 256 MiB heap, neither the {@code helm-oci}
 * command nor the operator may run out of memory: both must fail with {@code TagListTooLarge}, the
 * operator on the resource's status (Ready=False with the reason), within the resource's timeout.
 * Peak RSS and the time to the failed status are printed.
 */
class UnboundedTagListIT {
    static final int PAGE_BYTES = 4 * 1024 * 1024 - 4096;
    static final List<String> JVM = List.of("-Xmx256m", "-XX:+ExitOnOutOfMemoryError", "-XX:+UseSerialGC");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path work;

    @Test
    void theCommandStopsAtTheTagListLimitWithinItsHeap() throws Exception {
        try (HostileRegistry registry = HostileRegistry.endlessTagPages(PAGE_BYTES)) {
            Path launcher = Path.of("bin", "helm-oci").toAbsolutePath();
            ProcessBuilder builder = new ProcessBuilder(
                            launcher.toString(),
                            "inspect",
                            registry.ociUrl("charts/endless"),
                            "--plain-http",
                            "-o",
                            "json",
                            "--timeout",
                            "2m")
                    .redirectOutput(work.resolve("out.json").toFile())
                    .redirectError(work.resolve("err.txt").toFile());
            builder.environment().put("HELM_OCI_JAVA_OPTS", String.join(" ", JVM));
            long start = System.nanoTime();
            Process process = builder.start();
            AtomicLong peak = MemoryFigures.watch(process.toHandle());
            boolean ended = process.waitFor(3, TimeUnit.MINUTES);
            double seconds = (System.nanoTime() - start) / 1e9;
            if (!ended) {
                process.destroyForcibly().waitFor();
            }
            String err = Files.readString(work.resolve("err.txt"));
            String out = Files.readString(work.resolve("out.json"));
            System.out.printf(
                    "helm-oci (-Xmx256m) against endless tag pages: exit %s after %.1f s, %d pages served,"
                            + " peak RSS %d MiB%n",
                    ended ? process.exitValue() : "none (killed)", seconds, registry.pagesServed(), peak.get());

            assertThat(ended).as("helm-oci ended").isTrue();
            assertThat(err).doesNotContain("OutOfMemoryError");
            assertThat(process.exitValue()).as(err).isEqualTo(1);
            JsonNode error = JSON.readTree(out).path("error");
            assertThat(error.path("reason").asText()).as(out).isEqualTo("TagListTooLarge");
            assertThat(error.path("message").asText()).contains("--max-tags");
        }
    }

    @Test
    void theOperatorPutsTheFailureOnStatusWithinItsHeap() throws Exception {
        KubeApiServerFixture kube = KubeApiServerFixture.shared();
        kube.applyProjectCrds();
        try (HostileRegistry registry = HostileRegistry.endlessTagPages(PAGE_BYTES);
                OperatorProcess operator = OperatorProcess.start(
                        kube.kubeconfig(),
                        work.resolve("operator"),
                        Map.of("helmoci.leader-election.lease-name", "tag-list-it"),
                        JVM)) {
            AtomicLong peak =
                    MemoryFigures.watch(ProcessHandle.of(operator.pid()).orElseThrow());
            String namespace = kube.createNamespace("endless");
            Path resource =
                    Files.writeString(work.resolve("endless.yaml"), """
                    apiVersion: helmoci.io/v1alpha1
                    kind: HelmOciChart
                    metadata: {name: endless}
                    spec: {url: "%s", interval: 5m, timeout: 2m, insecure: true}
                    """.formatted(registry.ociUrl("charts/endless")));
            Instant applied = Instant.now();
            kube.kubectl("apply", "-n", namespace, "-f", resource.toString()).orThrow();

            Optional<Condition> ready = Optional.empty();
            Instant deadline = applied.plus(Duration.ofMinutes(3));
            while (Instant.now().isBefore(deadline) && operator.isAlive()) {
                ready = ready(kube, namespace);
                if (ready.isPresent() && "False".equals(ready.get().getStatus())) {
                    break;
                }
                Thread.sleep(200);
            }
            double seconds = Duration.between(applied, Instant.now()).toMillis() / 1000.0;
            boolean alive = operator.isAlive();
            String logs = operator.logs();
            System.out.printf(
                    "operator (-Xmx256m) against endless tag pages: Ready=%s reason %s after %.1f s, %d pages served,"
                            + " alive %s, peak RSS %d MiB%n",
                    ready.map(Condition::getStatus).orElse("none"),
                    ready.map(Condition::getReason).orElse("none"),
                    seconds,
                    registry.pagesServed(),
                    alive,
                    peak.get());

            assertThat(logs).doesNotContain("OutOfMemoryError");
            assertThat(alive).as("the operator is still running").isTrue();
            if (ready.isEmpty() || !"False".equals(ready.get().getStatus())) {
                throw operator.withLogAttached(new AssertionError("no failed status within 3 min: " + ready));
            }
            assertThat(ready.get().getReason()).isEqualTo("TagListTooLarge");
            assertThat(ready.get().getMessage()).contains("helmoci.limits.max-tags");
        }
    }

    @Test
    void aLinkBackToAPageAlreadyReadFails() throws Exception {
        try (HostileRegistry registry = HostileRegistry.loopingTagPages()) {
            Path launcher = Path.of("bin", "helm-oci").toAbsolutePath();
            ProcessBuilder builder = new ProcessBuilder(
                            launcher.toString(),
                            "inspect",
                            registry.ociUrl("charts/loop"),
                            "--plain-http",
                            "--timeout",
                            "1m")
                    .redirectErrorStream(true)
                    .redirectOutput(work.resolve("out.txt").toFile());
            builder.environment().put("HELM_OCI_JAVA_OPTS", String.join(" ", JVM));
            Process process = builder.start();
            assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();
            String out = Files.readString(work.resolve("out.txt"));
            System.out.printf(
                    "helm-oci against a looping Link: exit %d, %d pages served%n",
                    process.exitValue(), registry.pagesServed());
            assertThat(process.exitValue()).as(out).isEqualTo(1);
            assertThat(out).contains("RegistryUnavailable").contains("points back to a page already read");
            assertThat(registry.pagesServed()).isEqualTo(2);
        }
    }

    private static Optional<Condition> ready(KubeApiServerFixture kube, String namespace) {
        HelmOciChart chart = kube.client()
                .resources(HelmOciChart.class)
                .inNamespace(namespace)
                .withName("endless")
                .get();
        if (chart == null || chart.getStatus() == null || chart.getStatus().getConditions() == null) {
            return Optional.empty();
        }
        return chart.getStatus().getConditions().stream()
                .filter(c -> Constants.CONDITION_READY.equals(c.getType()))
                .findFirst();
    }
}
