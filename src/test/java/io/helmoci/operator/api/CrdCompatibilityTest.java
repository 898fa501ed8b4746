package io.helmoci.operator.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * v1alpha1 may grow, but not break its users: the CRD of the tree against the last released one
 * (deploy/crds/released; see its README). CrdCheckedInIT keeps the tree's CRD equal to the one the
 * Java types generate.
 */
class CrdCompatibilityTest {
    static final Path RELEASED = Path.of("deploy/crds/released/helmocicharts.helmoci.io-v1.yml");
    static final Path CURRENT = Path.of("deploy/crds/helmocicharts.helmoci.io-v1.yml");
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @Test
    void theCrdIsCompatibleWithTheLastReleasedOne() throws IOException {
        assertThat(CrdCompatibility.breakingChanges(YAML.readTree(RELEASED.toFile()), YAML.readTree(CURRENT.toFile())))
                .as("breaking changes against %s: add a new API version instead", RELEASED)
                .isEmpty();
    }

    @Test
    void aRemovedFieldIsBreaking() throws IOException {
        JsonNode released = YAML.readTree(RELEASED.toFile());
        JsonNode current = released.deepCopy();
        ((ObjectNode) spec(current).path("properties")).remove("interval");

        assertThat(CrdCompatibility.breakingChanges(released, current))
                .containsExactly("v1alpha1: .spec.interval: field removed");
    }

    @Test
    void aChangedTypeIsBreaking() throws IOException {
        JsonNode released = YAML.readTree(RELEASED.toFile());
        JsonNode current = released.deepCopy();
        ((ObjectNode) spec(current).path("properties").path("suspend")).put("type", "string");

        assertThat(CrdCompatibility.breakingChanges(released, current))
                .containsExactly("v1alpha1: .spec.suspend: type changed from boolean to string");
    }

    @Test
    void aNewlyRequiredFieldIsBreakingAndANewOptionalOneIsNot() throws IOException {
        JsonNode released = YAML.readTree(RELEASED.toFile());
        JsonNode optional = released.deepCopy();
        ((ObjectNode) spec(optional).path("properties")).putObject("newField").put("type", "string");
        assertThat(CrdCompatibility.breakingChanges(released, optional)).isEmpty();

        JsonNode required = optional.deepCopy();
        ObjectNode spec = (ObjectNode) spec(required);
        (spec.has("required") ? (ArrayNode) spec.get("required") : spec.putArray("required")).add("newField");
        assertThat(CrdCompatibility.breakingChanges(released, required))
                .containsExactly("v1alpha1: .spec: field 'newField' is newly required");
    }

    @Test
    void aVersionNoLongerServedIsBreaking() throws IOException {
        JsonNode released = YAML.readTree(RELEASED.toFile());
        JsonNode current = released.deepCopy();
        ((ObjectNode) current.path("spec").path("versions").get(0)).put("served", false);

        assertThat(CrdCompatibility.breakingChanges(released, current))
                .containsExactly("v1alpha1: the version is no longer served");
    }

    private static JsonNode spec(JsonNode crd) {
        return crd.path("spec")
                .path("versions")
                .get(0)
                .path("schema")
                .path("openAPIV3Schema")
                .path("properties")
                .path("spec");
    }
}
