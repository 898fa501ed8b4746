package io.helmoci.testbed;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.Assumptions;

/**
 * Finds the real components installed by {@code tools/install.sh} (run by {@code make tools}),
 * through the {@code tools.properties} file it writes into the tool cache.
 *
 * <p>When a component is missing, a test fails under {@code CI=true} and is skipped (with the
 * command to run) on a developer machine: CI must never pass by skipping what it cannot start.
 */
public final class Tools {
    public static final String TOOLS_DIR_PROPERTY = "helmoci.tools.dir";
    public static final String TOOLS_DIR_ENV = "HELM_OCI_TOOLS_DIR";

    private static Properties properties;

    private Tools() {}

    public static Path toolsDir() {
        String dir = System.getProperty(TOOLS_DIR_PROPERTY);
        if (dir == null || dir.isBlank()) {
            dir = System.getenv(TOOLS_DIR_ENV);
        }
        if (dir == null || dir.isBlank()) {
            // $HOME, as tools/install.sh uses it (Java's user.home comes from the password database).
            String home = System.getenv("HOME");
            dir = (home == null || home.isBlank() ? System.getProperty("user.home") : home)
                    + "/.cache/helm-oci-operator/tools";
        }
        return Path.of(dir);
    }

    public static boolean isCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    public static Path helm() {
        return executable("helm");
    }

    public static Path oras() {
        return executable("oras");
    }

    /** Sigstore cosign, built from Go modules (signing tools, issue 10). */
    public static Path cosign() {
        return executable("cosign");
    }

    /** Notary Project notation, built from Go modules. */
    public static Path notation() {
        return executable("notation");
    }

    /** Sigstore Fulcio (the keyless certificate authority), built from Go modules. */
    public static Path fulcio() {
        return executable("fulcio");
    }

    /** The Sigstore timestamp authority (RFC 3161), built from Go modules, for cosign keyless signatures. */
    public static Path timestampAuthority() {
        return executable("timestamp.authority");
    }

    /** GnuPG from Debian, for {@code helm package --sign}. */
    public static Path gpg() {
        return executable("gpg");
    }

    public static Path kubectl() {
        return executable("kubectl");
    }

    /** Flux's helm-controller, built from Go modules (issue 12). */
    public static Path helmController() {
        return executable("helm.controller");
    }

    /** The Flux CRDs helm-controller needs (HelmRelease, ExternalArtifact, HelmChart, OCIRepository), from the pinned modules. */
    public static Path fluxCrds() {
        Path dir = Path.of(property("flux.crds"));
        requireThat(Files.isDirectory(dir), "Flux CRD directory " + dir);
        return dir;
    }

    /** CNCF distribution v3, built from Go modules. */
    public static Path distributionRegistry() {
        return executable("registry.distribution");
    }

    /** Debian's docker-registry package (CNCF distribution 2.8). */
    public static Path debianRegistry() {
        return executable("registry.debian");
    }

    /** The directory fabric8 kube-api-test searches in offline mode ({@code <dir>/k8s/<version>-linux-amd64}). */
    public static Path kubeApiTestDir() {
        Path dir = Path.of(property("kube.api.test.dir"));
        requireThat(Files.isDirectory(dir), "kube-api-test directory " + dir);
        executable("kube.apiserver");
        executable("etcd");
        return dir;
    }

    public static String kubeVersion() {
        return property("kube.version");
    }

    public static String version(String component) {
        return property(component + ".version");
    }

    /** The path of a cached binary, checked to exist and be executable. */
    public static Path executable(String key) {
        Path path = Path.of(property(key));
        requireThat(Files.isExecutable(path), key + " at " + path);
        return path;
    }

    static synchronized String property(String key) {
        if (properties == null) {
            Path file = toolsDir().resolve("tools.properties");
            requireThat(Files.isRegularFile(file), "tool list " + file);
            Properties loaded = new Properties();
            try (InputStream in = Files.newInputStream(file)) {
                loaded.load(in);
            } catch (IOException e) {
                throw new IllegalStateException("cannot read " + file, e);
            }
            properties = loaded;
        }
        String value = properties.getProperty(key);
        requireThat(
                value != null && !value.isBlank(),
                "'" + key + "' in " + toolsDir().resolve("tools.properties"));
        return value;
    }

    private static void requireThat(boolean present, String what) {
        if (present) {
            return;
        }
        String message =
                "Missing " + what + ": run 'make tools' (tools/install.sh) to build and cache the real components.";
        if (isCi()) {
            throw new IllegalStateException(message);
        }
        Assumptions.abort(message);
    }
}
