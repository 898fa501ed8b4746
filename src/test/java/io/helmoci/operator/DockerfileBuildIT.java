package io.helmoci.operator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.helmoci.testbed.ProcessRunner;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Dockerfile cannot rot: buildah builds it without a daemon ({@code --storage-driver vfs}, its own
 * storage in a temp dir, {@code --pull=never}) on the Debian base of {@code tools/image.sh base}, and
 * the image runs Java as uid 10001 with the container JVM flags.
 */
class DockerfileBuildIT {
    private static final Duration BUILD = Duration.ofMinutes(10);

    @TempDir
    Path storage;

    @Test
    void theDockerfileBuildsDaemonlessOnTheDebianBaseAndRunsJavaAsUid10001() throws Exception {
        assertThat(Path.of("target/quarkus-app/quarkus-run.jar"))
                .as("the packaged application (mvn package)")
                .exists();
        // Installs mmdebstrap, umoci, skopeo and buildah when missing, builds the base when it is not cached.
        run("bash", "tools/image.sh", "packages");
        String base = run("bash", "tools/image.sh", "base").stdout().strip();
        assertThat(Path.of(base)).isRegularFile();

        String baseId =
                buildah("pull", "--quiet", "docker-archive:" + base).stdout().strip();
        buildah("tag", baseId, "helm-oci-operator-base:under-test");
        buildah(
                "bud",
                "--pull=never",
                "--layers=false",
                "--build-arg",
                "BASE=helm-oci-operator-base:under-test",
                "-t",
                "helm-oci-operator:dockerfile",
                "-f",
                "Dockerfile",
                ".");

        JsonNode config = new ObjectMapper()
                .readTree(buildah("inspect", "--type", "image", "helm-oci-operator:dockerfile")
                        .stdout())
                .path("OCIv1")
                .path("config");
        assertThat(config.path("User").asText()).isEqualTo("10001:10001");
        assertThat(config.path("Entrypoint").toString())
                .isEqualTo("[\"java\",\"-XX:+ExitOnOutOfMemoryError\",\"-jar\",\"/app/quarkus-run.jar\"]");
        assertThat(config.path("Env").toString())
                .contains(
                        "HELMOCI_STORE_PATH=/data/store",
                        "JAVA_TOOL_OPTIONS=-XX:MaxRAMPercentage=50 -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError -Djava.io.tmpdir=/tmp");

        // Run it (chroot isolation: no runtime daemon or cgroup setup needed): Java as uid 10001 with the flags in
        // force.
        String container = buildah("from", "--pull=never", "helm-oci-operator:dockerfile")
                .stdout()
                .strip();
        ProcessRunner.Result java =
                buildah("run", "--isolation", "chroot", container, "--", "java", "-XX:+PrintFlagsFinal", "-version");
        assertThat(java.stdout())
                .containsPattern("UseSerialGC\\s+= true")
                .containsPattern("ExitOnOutOfMemoryError\\s+= true");
        assertThat(java.stderr()).contains("openjdk version \"17.");
        assertThat(buildah("run", "--isolation", "chroot", container, "--", "id", "-u")
                        .stdout()
                        .strip())
                .isEqualTo("10001");
        assertThat(buildah("run", "--isolation", "chroot", container, "--", "ls", "/app")
                        .stdout())
                .contains("quarkus-run.jar", "lib", "quarkus", "app");
    }

    private ProcessRunner.Result buildah(String... args) {
        List<String> command = new ArrayList<>(List.of(
                "buildah",
                "--storage-driver",
                "vfs",
                "--root",
                storage.resolve("root").toString(),
                "--runroot",
                storage.resolve("runroot").toString()));
        command.addAll(List.of(args));
        return ProcessRunner.run(command, Map.of(), null, null, BUILD).orThrow();
    }

    private static ProcessRunner.Result run(String... command) {
        return ProcessRunner.run(List.of(command), Map.of(), null, null, BUILD).orThrow();
    }
}
