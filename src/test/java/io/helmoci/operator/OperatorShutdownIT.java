package io.helmoci.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.helmoci.testbed.KubeApiServerFixture;
import io.helmoci.testbed.OperatorProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM (a pod being stopped, Ctrl-C on {@code make run}) ends a leading operator promptly. With
 * java-operator-sdk 5.2.1's own exit-on-stop-leading, the shutdown hook blocked in System.exit forever.
 */
class OperatorShutdownIT {
    @TempDir
    Path work;

    @Test
    void sigtermEndsALeadingOperatorPromptly() throws InterruptedException {
        KubeApiServerFixture kube = KubeApiServerFixture.shared();
        kube.applyProjectCrds();
        OperatorProcess operator = OperatorProcess.start(
                kube.kubeconfig(),
                work,
                Map.of(
                        // A lease of its own, so that no other test's operator holds it.
                        "helmoci.leader-election.lease-name", "shutdown-it"));
        new HelmOciChartAssert(kube, operator)
                .awaitTrue(() -> operator.logs().contains("Started event processing"), "the operator to lead");

        OptionalInt exitCode = operator.terminate(Duration.ofSeconds(15));

        assertThat(exitCode)
                .as("exited within 15 s of SIGTERM; log:\n%s", operator.logs())
                .isPresent();
        assertThat(operator.logs()).contains("Stopped leading").doesNotContain("Lost the leader lease");
    }
}
