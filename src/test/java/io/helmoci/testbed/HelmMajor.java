package io.helmoci.testbed;

import java.nio.file.Path;

/**
 * The two Helm majors users run: Helm 3, and Helm 4, which Flux 2.8+ and Argo CD 3.5 embed. Both are
 * built by {@code tools/install.sh} (properties {@code helm} and {@code helm4}). A test that runs a
 * helm step takes the major as a parameter ({@code @EnumSource(HelmMajor.class)}, or a
 * {@code @MethodSource} crossing {@link #values()} with its other dimensions) so it runs with both.
 */
public enum HelmMajor {
    HELM_3("helm"),
    HELM_4("helm4");

    private final String toolKey;

    HelmMajor(String toolKey) {
        this.toolKey = toolKey;
    }

    /** The cached helm binary of this major (the test fails under CI, or is skipped, when it is missing). */
    public Path executable() {
        return Tools.executable(toolKey);
    }

    /** The exact version, e.g. {@code v4.3.2}. */
    public String version() {
        return Tools.version(toolKey);
    }

    /** For test names: {@code helm3}, {@code helm4}. */
    @Override
    public String toString() {
        return this == HELM_3 ? "helm3" : "helm4";
    }
}
