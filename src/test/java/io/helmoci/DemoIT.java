package io.helmoci;

import static org.assertj.core.api.Assertions.assertThat;

import io.helmoci.testbed.ProcessRunner;
import io.helmoci.testbed.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Keeps the README's first command honest: runs {@code tools/demo.sh} (what {@code make demo ONCE=1}
 * runs after building) as a user would, and checks what it shows and that it leaves nothing running.
 */
class DemoIT {
    private static final Path SCRIPT = Path.of("tools", "demo.sh");

    @Test
    void demoShowsAReadyChartItsArtifactUrlAndRenderedTemplatesThenStopsEverything() {
        Tools.kubeApiTestDir(); // fails under CI, skips elsewhere, when the components are not built
        ProcessRunner.Result demo = ProcessRunner.run(
                List.of("bash", SCRIPT.toString()),
                Map.of(
                        "ONCE",
                        "1",
                        // The test classpath of this JVM, instead of the file 'make demo' writes.
                        "DEMO_CLASSPATH",
                        System.getProperty("java.class.path"),
                        Tools.TOOLS_DIR_ENV,
                        Tools.toolsDir().toString()),
                null,
                null,
                Duration.ofMinutes(4));
        String output = demo.stdout() + "\n--- stderr\n" + demo.stderr();

        assertThat(demo.exitCode()).as(output).isZero();
        assertThat(demo.stdout())
                .contains("hoc/hello condition met")
                .containsPattern(
                        "(?m)^hello\\s+oci://127\\.0\\.0\\.1:\\d+/charts/hello\\s+1\\.1\\.0\\s+[0-9a-f]{12}\\s+True\\s")
                .containsPattern(
                        "(?m)^Artifact URL:\\s+http://127\\.0\\.0\\.1:\\d+/artifacts/demo/hello/hello-1\\.1\\.0\\.tgz$")
                .containsPattern(
                        "(?m)^Pinned reference:\\s+oci://127\\.0\\.0\\.1:\\d+/charts/hello@sha256:[0-9a-f]{64}$")
                .contains("# Source: hello/templates/service.yaml", "helm.sh/chart: hello-1.1.0")
                .contains("stopping the operator", "stopping the registry and the API server")
                .doesNotContain("did not stop within");

        Matcher workDir = Pattern.compile("(?m)^Working directory: (\\S+) ").matcher(demo.stdout());
        assertThat(workDir.find()).as(output).isTrue();
        String dir = workDir.group(1);
        assertThat(Files.exists(Path.of(dir))).as("%s is removed", dir).isFalse();
        assertThat(ProcessHandle.allProcesses()
                        .filter(p -> p.info().commandLine().orElse("").contains(dir))
                        .map(p -> p.info().commandLine().orElse("")))
                .as("processes left running")
                .isEmpty();
    }
}
