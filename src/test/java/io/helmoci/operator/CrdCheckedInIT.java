package io.helmoci.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The CRD in deploy/crds is what users apply; it must be exactly what the API types generate.
 * An IT because Quarkus generates the CRD at package time, after the unit tests.
 */
class CrdCheckedInIT {
    static final Path GENERATED = Path.of("target/kubernetes/helmocicharts.helmoci.io-v1.yml");
    static final Path CHECKED_IN = Path.of("deploy/crds/helmocicharts.helmoci.io-v1.yml");

    @Test
    void checkedInCrdMatchesTheGeneratedOne() throws Exception {
        assertThat(GENERATED)
                .as("the Quarkus build generates the CRD at package time")
                .exists();
        assertThat(Files.readString(CHECKED_IN))
                .as(
                        "%s is out of date with the API types in io.helmoci.operator.api.v1alpha1: run `make crds` and commit the result",
                        CHECKED_IN)
                .isEqualTo(Files.readString(GENERATED));
    }
}
