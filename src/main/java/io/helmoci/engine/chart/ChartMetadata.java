package io.helmoci.engine.chart;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parts of a chart's {@code Chart.yaml} (Helm {@code chart.Metadata}) the engine reports and
 * checks. Strings are null when absent or empty (Helm omits empty values); lists and the
 * annotation map are never null.
 *
 * <p>Both readers follow what Helm does when it decodes these files: keys match case-insensitively
 * and a repeated key's last value wins (Go {@code encoding/json}); strings are sanitised as Helm's
 * {@code Metadata.Validate} does (whitespace becomes a space, non-printable characters are dropped).
 * In Chart.yaml a number or boolean given for a text field is read as text the way Helm's YAML
 * decoder writes it ({@code version: 1.0} is {@code "1"}); in the JSON config blob it is an error,
 * as in Go.
 */
public record ChartMetadata(
        String apiVersion,
        String name,
        String version,
        String appVersion,
        String description,
        String type,
        String kubeVersion,
        boolean deprecated,
        String home,
        String icon,
        List<String> sources,
        List<String> keywords,
        List<Dependency> dependencies,
        Map<String, String> annotations) {

    /** One entry of {@code dependencies} (Helm {@code chart.Dependency}); strings null when absent or empty. */
    public record Dependency(String name, String version, String repository, String condition, String alias) {
        public Dependency {
            name = emptyToNull(name);
            version = emptyToNull(version);
            repository = emptyToNull(repository);
            condition = emptyToNull(condition);
            alias = emptyToNull(alias);
        }
    }

    public ChartMetadata {
        apiVersion = emptyToNull(apiVersion);
        name = emptyToNull(name);
        version = emptyToNull(version);
        appVersion = emptyToNull(appVersion);
        description = emptyToNull(description);
        type = emptyToNull(type);
        kubeVersion = emptyToNull(kubeVersion);
        home = emptyToNull(home);
        icon = emptyToNull(icon);
        sources = sources == null ? List.of() : List.copyOf(sources);
        keywords = keywords == null ? List.of() : List.copyOf(keywords);
        dependencies = dependencies == null ? List.of() : List.copyOf(dependencies);
        annotations = annotations == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(annotations));
    }

    /**
     * Reads the config blob of a Helm chart manifest ({@code application/vnd.cncf.helm.config.v1+json},
     * Helm's {@code json.Marshal} of the loaded metadata). Nothing is required to be present: the
     * blob is compared with the archive by {@link ChartValidator#checkAgreement}.
     *
     * @throws io.helmoci.engine.EngineException {@link io.helmoci.engine.Reason#InvalidChart} if it is
     *                                           not a JSON object of the right shape
     */
    public static ChartMetadata fromConfigJson(byte[] json) {
        return MetadataReader.fromConfigJson(json);
    }

    /**
     * Reads a {@code Chart.yaml} as Helm's loader does, including its default of {@code apiVersion: v1}
     * when none is given. Does not validate the values: {@link ChartValidator} does.
     *
     * @throws io.helmoci.engine.EngineException {@link io.helmoci.engine.Reason#InvalidChart} if it is
     *                                           not YAML of the right shape
     */
    public static ChartMetadata fromChartYaml(byte[] yaml) {
        return MetadataReader.fromChartYaml(yaml, "Chart.yaml");
    }

    ChartMetadata withDependencies(List<Dependency> replaced) {
        return new ChartMetadata(
                apiVersion,
                name,
                version,
                appVersion,
                description,
                type,
                kubeVersion,
                deprecated,
                home,
                icon,
                sources,
                keywords,
                replaced,
                annotations);
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
