package io.helmoci.testbed;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What to write into a chart's Chart.yaml. Fields are set on top of what {@code helm create}
 * wrote; {@link #set(String, Object)} sets any top-level key (null removes it), so invalid charts
 * can be made on purpose too.
 */
public final class ChartSpec {
    private final Map<String, Object> fields = new LinkedHashMap<>();

    private ChartSpec(String name, String version) {
        fields.put("name", name);
        fields.put("version", version);
    }

    /** {@code version} may carry a prerelease ({@code 1.0.0-rc.1}) and build metadata ({@code 1.0.0+build.7}). */
    public static ChartSpec of(String name, String version) {
        return new ChartSpec(name, version);
    }

    public ChartSpec appVersion(String appVersion) {
        return set("appVersion", appVersion);
    }

    public ChartSpec description(String description) {
        return set("description", description);
    }

    public ChartSpec apiVersion(String apiVersion) {
        return set("apiVersion", apiVersion);
    }

    /** Chart.yaml {@code annotations}, which helm push copies into the manifest annotations. */
    public ChartSpec annotations(Map<String, String> annotations) {
        return set("annotations", new LinkedHashMap<>(annotations));
    }

    public ChartSpec set(String key, Object value) {
        fields.put(key, value);
        return this;
    }

    public String name() {
        return (String) fields.get("name");
    }

    public String version() {
        return (String) fields.get("version");
    }

    /** The tag helm push uses for this version: {@code +} becomes {@code _}. */
    public String tag() {
        return version().replace('+', '_');
    }

    Map<String, Object> fields() {
        return Collections.unmodifiableMap(fields);
    }
}
