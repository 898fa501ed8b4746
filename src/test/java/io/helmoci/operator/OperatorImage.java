package io.helmoci.operator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.helmoci.testbed.ClusterFixture;
import io.helmoci.testbed.ProcessRunner;
import io.helmoci.testbed.Tools;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The operator image {@code make image} built from this checkout (an OCI archive), pushed once per
 * JVM to the cluster's registry with the real {@code oras cp}, so that the node pulls it as users'
 * nodes pull theirs. The E2E tests and the cluster benchmark ({@code io.helmoci.bench.ClusterBench}) use it.
 */
public final class OperatorImage {
    /** Where {@code make image} writes the image (override with -Dhelmoci.e2e.image.tar=...). */
    static final Path DEFAULT_TARBALL = Path.of("target", "helm-oci-operator-image.tar");

    private static final String REF_NAME = "org.opencontainers.image.ref.name";

    public record Pushed(String repository, String tag, String digest) {}

    private static Pushed pushed;

    private OperatorImage() {}

    public static synchronized Pushed pushedTo(ClusterFixture cluster) {
        if (pushed != null) {
            return pushed;
        }
        Path tarball = Path.of(System.getProperty("helmoci.e2e.image.tar", DEFAULT_TARBALL.toString()));
        OperatorInCluster.requireThat(
                Files.isRegularFile(tarball),
                "No operator image at " + tarball
                        + ": run 'make image' first (the E2E tests run the image built from this checkout).");
        try {
            Path layout = Files.createTempDirectory("operator-image-");
            ProcessRunner.run(List.of("tar", "-xf", tarball.toAbsolutePath().toString(), "-C", layout.toString()))
                    .orThrow();
            JsonNode manifest = new ObjectMapper()
                    .readTree(layout.resolve("index.json").toFile())
                    .path("manifests")
                    .path(0);
            String digest = manifest.path("digest").asText();
            if (digest.isEmpty()) {
                throw new IllegalStateException(tarball + " is not an OCI image archive (no manifest in index.json)");
            }
            String refName = manifest.path("annotations").path(REF_NAME).asText("");
            String tag = refName.isEmpty() ? "latest" : refName.substring(refName.lastIndexOf(':') + 1);
            String repository = cluster.registry() + "/helm-oci-operator";
            ProcessRunner.run(List.of(
                            Tools.oras().toString(),
                            "cp",
                            "--from-oci-layout",
                            layout + "@" + digest,
                            repository + ":" + tag,
                            "--to-plain-http"))
                    .orThrow();
            pushed = new Pushed(repository, tag, digest);
            return pushed;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack " + tarball, e);
        }
    }
}
