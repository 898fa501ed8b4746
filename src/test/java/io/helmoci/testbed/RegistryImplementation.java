package io.helmoci.testbed;

import java.nio.file.Path;
import java.util.function.Supplier;

/** The real registry programs the test bed can start. Both are CNCF distribution, of different generations. */
public enum RegistryImplementation {
    /** CNCF distribution v3, built from Go modules by tools/install.sh. */
    DISTRIBUTION_V3("registry.distribution", Tools::distributionRegistry),
    /** Debian's docker-registry package: CNCF (docker) distribution 2.8. */
    DEBIAN_DISTRIBUTION_2_8("registry.debian", Tools::debianRegistry);

    private final String toolKey;
    private final Supplier<Path> binary;

    RegistryImplementation(String toolKey, Supplier<Path> binary) {
        this.toolKey = toolKey;
        this.binary = binary;
    }

    /** The executable; fails under CI=true and skips the test elsewhere when it is not installed. */
    public Path binary() {
        return binary.get();
    }

    /** The version tools/install.sh recorded, e.g. {@code v3.1.2} or {@code 2.8.2+ds1-1}. */
    public String version() {
        return Tools.version(toolKey);
    }
}
