package io.helmoci.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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

    @ParameterizedTest
    @ValueSource(strings = {"helmocireceivers.helmoci.io-v1.yml"})
    void otherCheckedInCrdsMatchTheGeneratedOnes(String file) throws Exception {
        Path generated = Path.of("target/kubernetes", file);
        assertThat(generated)
                .as("the Quarkus build generates the CRD at package time")
                .exists();
        for (Path checkedIn :
                new Path[] {Path.of("deploy/crds", file), Path.of("deploy/chart/helm-oci-operator/crds", file)}) {
            assertThat(Files.readString(checkedIn))
                    .as("%s is out of date with the API types: run `make crds` and commit the result", checkedIn)
                    .isEqualTo(Files.readString(generated));
        }
    }
}
