package io.helmoci.operator.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The changes from one CRD to the next that break existing resources or clients (as Flink's
 * CrdCompatibilityChecker): a served version dropped, and within each version's
 * openAPIV3Schema a field removed, a type changed, a field newly required, an enum value dropped.
 * Adding optional fields is compatible.
 */
final class CrdCompatibility {
    private CrdCompatibility() {}

    /** Each breaking change from {@code released} to {@code current}, as "version: path: what"; empty when compatible. */
    static List<String> breakingChanges(JsonNode released, JsonNode current) {
        List<String> problems = new ArrayList<>();
        for (JsonNode version : released.path("spec").path("versions")) {
            String name = version.path("name").asText();
            JsonNode now = versionNamed(current, name);
            if (now == null
                    || (version.path("served").asBoolean(true)
                            && !now.path("served").asBoolean(true))) {
                problems.add(name + ": the version is no longer served");
                continue;
            }
            compare(
                    name,
                    "",
                    version.path("schema").path("openAPIV3Schema"),
                    now.path("schema").path("openAPIV3Schema"),
                    problems);
        }
        return problems;
    }

    private static JsonNode versionNamed(JsonNode crd, String name) {
        for (JsonNode version : crd.path("spec").path("versions")) {
            if (name.equals(version.path("name").asText())) {
                return version;
            }
        }
        return null;
    }

    private static void compare(
            String version, String path, JsonNode released, JsonNode current, List<String> problems) {
        String where = version + ": " + (path.isEmpty() ? "." : path);
        String type = released.path("type").asText(null);
        String nowType = current.path("type").asText(null);
        if (type != null && !type.equals(nowType)) {
            problems.add(where + ": type changed from " + type + " to " + nowType);
            return;
        }
        Set<String> wasRequired = texts(released.path("required"));
        for (String required : texts(current.path("required"))) {
            if (!wasRequired.contains(required)) {
                problems.add(where + ": field '" + required + "' is newly required");
            }
        }
        if (released.has("enum")) {
            Set<String> values = texts(current.path("enum"));
            for (String value : texts(released.path("enum"))) {
                if (current.has("enum") && !values.contains(value)) {
                    problems.add(where + ": enum value '" + value + "' removed");
                }
            }
        }
        for (Iterator<Map.Entry<String, JsonNode>> it =
                        released.path("properties").fields();
                it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            JsonNode now = current.path("properties").get(field.getKey());
            String fieldPath = path + "." + field.getKey();
            if (now == null) {
                problems.add(version + ": " + fieldPath + ": field removed");
            } else {
                compare(version, fieldPath, field.getValue(), now, problems);
            }
        }
        if (released.has("items")) {
            compare(version, path + "[]", released.path("items"), current.path("items"), problems);
        }
        if (released.path("additionalProperties").isObject()) {
            compare(
                    version,
                    path + "{}",
                    released.path("additionalProperties"),
                    current.path("additionalProperties"),
                    problems);
        }
    }

    private static Set<String> texts(JsonNode array) {
        Set<String> texts = new HashSet<>();
        array.forEach(node -> texts.add(node.asText()));
        return texts;
    }
}
