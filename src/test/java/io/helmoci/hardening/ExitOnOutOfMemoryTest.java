package io.helmoci.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Issue 7: after an OutOfMemoryError the JVM exits (the pod restarts) instead of going on with health UP. */
class ExitOnOutOfMemoryTest {
    private static final String FLAG = java.util.regex.Pattern.quote("-XX:+ExitOnOutOfMemoryError");

    @Test
    void theDeploymentTheImageAndTheLauncherExitOnOutOfMemory() throws Exception {
        assertThat(Files.readString(Path.of("deploy", "manifests", "20-deployment.yaml")))
                .containsPattern("JAVA_TOOL_OPTIONS\\s+value: \"[^\"]*" + FLAG);
        assertThat(Files.readString(Path.of("Dockerfile")))
                .containsPattern("ENTRYPOINT \\[\"java\", [^\\]]*\"" + FLAG + "\"");
        assertThat(Files.readString(Path.of("bin", "helm-oci"))).containsPattern("exec java " + FLAG);
    }
}
