package io.helmoci.engine.chart;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.helmoci.engine.EngineException;
import io.helmoci.engine.Reason;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Decodes Chart.yaml and the config blob into {@link ChartMetadata} with Go's decoding rules (see
 * there). Field names and which fields are sanitised come from helm pkg/chart/metadata.go and
 * dependency.go.
 */
final class MetadataReader {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final YAMLMapper YAML = new YAMLMapper();

    private final boolean yaml;
    private final String source;

    private MetadataReader(boolean yaml, String source) {
        this.yaml = yaml;
        this.source = source;
    }

    static ChartMetadata fromConfigJson(byte[] json) {
        String source = "the chart's config blob";
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (IOException e) {
            throw invalid(
                    source + " is not valid JSON (" + describe(e) + ")",
                    "Push the chart with 'helm push', which writes" + " the Chart.yaml metadata as JSON");
        }
        if (root == null || root.isMissingNode()) {
            throw invalid(
                    source + " is empty",
                    "Push the chart with 'helm push', which writes the Chart.yaml metadata as JSON");
        }
        return new MetadataReader(false, source).metadata(root);
    }

    static ChartMetadata fromChartYaml(byte[] yamlBytes, String source) {
        ChartMetadata metadata = new MetadataReader(true, source).metadata(readYaml(yamlBytes, source));
        // Helm's loader: "if APIVersion is unset, we should assume we're loading a v1 chart".
        return metadata.apiVersion() != null
                ? metadata
                : new ChartMetadata(
                        "v1",
                        metadata.name(),
                        metadata.version(),
                        metadata.appVersion(),
                        metadata.description(),
                        metadata.type(),
                        metadata.kubeVersion(),
                        metadata.deprecated(),
                        metadata.home(),
                        metadata.icon(),
                        metadata.sources(),
                        metadata.keywords(),
                        metadata.dependencies(),
                        metadata.annotations());
    }

    /** The {@code dependencies} of a v1 chart's requirements.yaml, or null when it has none. */
    static List<ChartMetadata.Dependency> dependenciesFromRequirements(byte[] yamlBytes, String source) {
        MetadataReader reader = new MetadataReader(true, source);
        JsonNode dependencies =
                reader.fields(readYaml(yamlBytes, source), "the file").get("dependencies");
        return dependencies == null || dependencies.isNull() ? null : reader.dependencies(dependencies);
    }

    private static JsonNode readYaml(byte[] bytes, String source) {
        try {
            JsonNode root = YAML.readTree(bytes);
            return root == null || root.isMissingNode() || root.isNull() ? YAML.createObjectNode() : root;
        } catch (IOException e) {
            throw invalid(
                    source + " is not valid YAML (" + describe(e) + ")", "Fix the YAML syntax (helm lint shows where)");
        }
    }

    private ChartMetadata metadata(JsonNode root) {
        Map<String, JsonNode> f = fields(root, yaml ? "the file" : "the blob");
        checkNoNullEntries(f.get("maintainers"), "maintainers");
        return new ChartMetadata(
                text(f, "apiVersion", false),
                text(f, "name", true),
                text(f, "version", false),
                text(f, "appVersion", true),
                text(f, "description", true),
                text(f, "type", false),
                text(f, "kubeVersion", true),
                bool(f, "deprecated"),
                text(f, "home", true),
                text(f, "icon", true),
                texts(f, "sources"),
                texts(f, "keywords"),
                f.get("dependencies") == null ? List.of() : dependencies(f.get("dependencies")),
                annotations(f.get("annotations")));
    }

    private List<ChartMetadata.Dependency> dependencies(JsonNode node) {
        if (node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw wrongType("dependencies", node, "a list");
        }
        checkNoNullEntries(node, "dependencies");
        List<ChartMetadata.Dependency> dependencies = new ArrayList<>();
        for (JsonNode entry : node) {
            Map<String, JsonNode> d = fields(entry, "each entry of 'dependencies'");
            dependencies.add(new ChartMetadata.Dependency(
                    text(d, "name", true),
                    text(d, "version", true),
                    text(d, "repository", true),
                    text(d, "condition", true),
                    text(d, "alias", false)));
        }
        return dependencies;
    }

    /** Helm's Validate rejects null list entries: "maintainers/dependencies must not contain empty or null nodes". */
    private void checkNoNullEntries(JsonNode list, String field) {
        if (list != null && list.isArray()) {
            for (JsonNode entry : list) {
                if (entry.isNull()) {
                    throw invalid(
                            source + ": '" + field + "' contains an empty entry (Helm: " + field
                                    + " must not contain empty or null nodes)",
                            remedy("Remove the empty '-' entry from " + field));
                }
            }
        }
    }

    /** An object's fields by lower-cased name; a repeated name keeps its last value (Go encoding/json). */
    private Map<String, JsonNode> fields(JsonNode node, String what) {
        if (!node.isObject()) {
            throw invalid(
                    source + ": " + what + " must be a mapping of keys to values, not " + kind(node),
                    remedy("Write it as key: value lines as in 'helm create'"));
        }
        Map<String, JsonNode> fields = new HashMap<>();
        node.fields().forEachRemaining(e -> fields.put(e.getKey().toLowerCase(Locale.ROOT), e.getValue()));
        return new FieldMap(fields);
    }

    private String text(Map<String, JsonNode> fields, String name, boolean sanitise) {
        String value = scalarText(fields.get(name), name);
        return value != null && sanitise ? sanitise(value) : value;
    }

    private String scalarText(JsonNode node, String field) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isTextual()) {
            return node.textValue();
        }
        if (yaml && node.isNumber()) {
            return node.isFloatingPointNumber()
                    ? goFloat32(node.doubleValue())
                    : node.bigIntegerValue().toString();
        }
        if (yaml && node.isBoolean()) {
            return node.asText();
        }
        throw wrongType(field, node, "text");
    }

    private boolean bool(Map<String, JsonNode> fields, String name) {
        JsonNode node = fields.get(name);
        if (node == null || node.isNull()) {
            return false;
        }
        if (!node.isBoolean()) {
            throw wrongType(name, node, "true or false");
        }
        return node.booleanValue();
    }

    private List<String> texts(Map<String, JsonNode> fields, String name) {
        JsonNode node = fields.get(name);
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw wrongType(name, node, "a list of text values");
        }
        List<String> values = new ArrayList<>();
        for (JsonNode element : node) {
            String value = scalarText(element, name + "[]");
            values.add(value == null ? "" : sanitise(value));
        }
        return values;
    }

    private Map<String, String> annotations(JsonNode node) {
        if (node == null || node.isNull()) {
            return Map.of();
        }
        if (!node.isObject()) {
            throw wrongType("annotations", node, "a mapping of text to text");
        }
        Map<String, String> annotations = new LinkedHashMap<>();
        node.fields().forEachRemaining(e -> {
            String value = scalarText(e.getValue(), "annotations." + e.getKey());
            annotations.put(e.getKey(), value == null ? "" : value);
        });
        return annotations;
    }

    private EngineException wrongType(String field, JsonNode node, String expected) {
        return invalid(
                source + ": '" + field + "' must be " + expected + ", not " + kind(node),
                remedy("Correct it in Chart.yaml"));
    }

    /** What to do: fix the YAML, or for the config blob (which Helm writes itself) push with Helm. */
    private String remedy(String yamlRemedy) {
        return yaml ? yamlRemedy : "Push the chart with 'helm push', which writes this blob from Chart.yaml";
    }

    private static String kind(JsonNode node) {
        return switch (node.getNodeType()) {
            case ARRAY -> "a list";
            case OBJECT -> "a mapping";
            case BOOLEAN -> "a boolean";
            case NUMBER -> "a number";
            case STRING -> "text";
            default -> node.getNodeType().name().toLowerCase(Locale.ROOT);
        };
    }

    /**
     * Helm's {@code sanitizeString}: Go {@code unicode.IsSpace} characters become a space, characters
     * that are not {@code unicode.IsPrint} are dropped.
     */
    static String sanitise(String s) {
        StringBuilder out = new StringBuilder(s.length());
        s.codePoints().forEach(cp -> {
            if (isGoSpace(cp)) {
                out.append(' ');
            } else if (isGoPrint(cp)) {
                out.appendCodePoint(cp);
            }
        });
        return out.toString();
    }

    private static boolean isGoSpace(int cp) {
        return cp == '\t'
                || cp == '\n'
                || cp == 0x0B
                || cp == '\f'
                || cp == '\r'
                || cp == ' '
                || cp == 0x85
                || cp == 0xA0
                || Character.isSpaceChar(cp);
    }

    private static boolean isGoPrint(int cp) {
        return switch (Character.getType(cp)) {
            case Character.UPPERCASE_LETTER,
                    Character.LOWERCASE_LETTER,
                    Character.TITLECASE_LETTER,
                    Character.MODIFIER_LETTER,
                    Character.OTHER_LETTER,
                    Character.NON_SPACING_MARK,
                    Character.ENCLOSING_MARK,
                    Character.COMBINING_SPACING_MARK,
                    Character.DECIMAL_DIGIT_NUMBER,
                    Character.LETTER_NUMBER,
                    Character.OTHER_NUMBER,
                    Character.CONNECTOR_PUNCTUATION,
                    Character.DASH_PUNCTUATION,
                    Character.START_PUNCTUATION,
                    Character.END_PUNCTUATION,
                    Character.INITIAL_QUOTE_PUNCTUATION,
                    Character.FINAL_QUOTE_PUNCTUATION,
                    Character.OTHER_PUNCTUATION,
                    Character.MATH_SYMBOL,
                    Character.CURRENCY_SYMBOL,
                    Character.MODIFIER_SYMBOL,
                    Character.OTHER_SYMBOL -> true;
            default -> false;
        };
    }

    /** Go {@code strconv.FormatFloat(f, 'g', -1, 32)}, which Helm's YAML decoder uses for a number in a text field. */
    static String goFloat32(double value) {
        float f = (float) value;
        if (Float.isNaN(f) || Float.isInfinite(f)) {
            return Float.isNaN(f) ? "NaN" : f > 0 ? "+Inf" : "-Inf";
        }
        if (f == 0) {
            return "0";
        }
        BigDecimal shortest = new BigDecimal(Float.toString(f)).stripTrailingZeros();
        String digits = shortest.unscaledValue().abs().toString();
        int exponent = digits.length() - 1 - shortest.scale();
        String sign = shortest.signum() < 0 ? "-" : "";
        if (exponent < -4 || exponent >= 6) { // Go uses %e from exponent 6 on when printing the shortest form
            return sign + scientific(digits, exponent);
        }
        return sign + shortest.abs().toPlainString();
    }

    private static String scientific(String digits, int exponent) {
        String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
        int abs = Math.abs(exponent);
        return mantissa + "e" + (exponent < 0 ? "-" : "+") + (abs < 10 ? "0" : "") + abs;
    }

    private static String describe(IOException e) {
        String message = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
        message = message == null
                ? e.getClass().getSimpleName()
                : message.lines().findFirst().orElse("").strip();
        if (e instanceof JsonProcessingException j && j.getLocation() != null) {
            message += " at line " + j.getLocation().getLineNr() + ", column "
                    + j.getLocation().getColumnNr();
        }
        return message;
    }

    static EngineException invalid(String problem, String remedy) {
        return new EngineException(Reason.InvalidChart, sentence(problem) + " " + remedy + ".");
    }

    /** The problem as a sentence: capitalised unless it starts with a path, with a full stop. */
    static String sentence(String problem) {
        int space = problem.indexOf(' ');
        boolean startsWithPath =
                problem.substring(0, space < 0 ? problem.length() : space).contains("/");
        return (startsWithPath ? problem : Character.toUpperCase(problem.charAt(0)) + problem.substring(1)) + ".";
    }

    /** Field lookup by any capitalisation of the Go field's JSON name. */
    private static final class FieldMap extends HashMap<String, JsonNode> {
        FieldMap(Map<String, JsonNode> lowerCased) {
            super(lowerCased);
        }

        @Override
        public JsonNode get(Object key) {
            return super.get(((String) key).toLowerCase(Locale.ROOT));
        }
    }
}
