package io.helmoci.operator.artifacts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.helmoci.operator.Constants;
import io.helmoci.operator.api.v1alpha1.ChartDependency;
import io.helmoci.operator.api.v1alpha1.ChartInfo;
import io.helmoci.operator.api.v1alpha1.HelmOciChart;
import io.helmoci.operator.api.v1alpha1.HelmOciChartStatus;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A classic Helm repository index.yaml over the Ready HelmOciCharts of a namespace, so that
 * {@code helm repo add} / {@code helm search repo}, Argo CD and Flux HelmRepository work on charts
 * that live in OCI registries. Each entry points at the operator's artifact URL.
 */
public final class HelmRepositoryIndex {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            // A numeric-looking string (appVersion "1", version "1.0") stays a quoted string: Helm 4
            // refuses an index whose appVersion is a YAML number.
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS));

    private HelmRepositoryIndex() {}

    public static String render(List<HelmOciChart> charts, String generated) {
        Map<String, List<Map<String, Object>>> entries = new LinkedHashMap<>();
        Set<String> seen = new HashSet<>();
        charts.stream()
                .filter(HelmRepositoryIndex::isServed)
                .sorted(Comparator.comparing((HelmOciChart c) -> c.getMetadata().getName()))
                .forEach(chart -> {
                    HelmOciChartStatus status = chart.getStatus();
                    ChartInfo info = status.getChart();
                    if (seen.add(info.getName() + "@" + status.getResolvedVersion())) { // one entry per chart version
                        entries.computeIfAbsent(info.getName(), n -> new ArrayList<>())
                                .add(entry(status, info));
                    }
                });
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("apiVersion", "v1");
        index.put("entries", entries);
        index.put("generated", generated);
        try {
            return YAML.writeValueAsString(index);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Ready with an archive: what helm can install. Also a chart whose newest digest failed signature
     * verification while the archive it still serves is the verified one (spec.verify: the last
     * verified chart stays served and indexed).
     */
    static boolean isServed(HelmOciChart chart) {
        HelmOciChartStatus status = chart.getStatus();
        return status != null
                && status.getArtifact() != null
                && status.getChart() != null
                && status.getResolvedVersion() != null
                && status.getConditions() != null
                && (hasCondition(status, Constants.CONDITION_READY, "True") || servesLastVerified(status));
    }

    private static boolean servesLastVerified(HelmOciChartStatus status) {
        return hasCondition(status, Constants.CONDITION_SOURCE_VERIFIED, "False")
                && status.getVerification() != null
                && status.getManifestDigest() != null
                && status.getManifestDigest().equals(status.getVerification().getManifestDigest());
    }

    private static boolean hasCondition(HelmOciChartStatus status, String type, String value) {
        return status.getConditions().stream().anyMatch(c -> type.equals(c.getType()) && value.equals(c.getStatus()));
    }

    private static Map<String, Object> entry(HelmOciChartStatus status, ChartInfo info) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("apiVersion", info.getApiVersion() == null ? "v2" : info.getApiVersion());
        entry.put("name", info.getName());
        entry.put("version", status.getResolvedVersion());
        putIfSet(entry, "appVersion", info.getAppVersion());
        putIfSet(entry, "description", info.getDescription());
        putIfSet(entry, "type", info.getType());
        putIfSet(entry, "kubeVersion", info.getKubeVersion());
        if (Boolean.TRUE.equals(info.getDeprecated())) {
            entry.put("deprecated", true);
        }
        if (info.getDependencies() != null && !info.getDependencies().isEmpty()) {
            entry.put(
                    "dependencies",
                    info.getDependencies().stream()
                            .map(HelmRepositoryIndex::dependency)
                            .toList());
        }
        entry.put(
                "digest",
                status.getArtifact()
                        .getDigest()
                        .substring(status.getArtifact().getDigest().indexOf(':') + 1));
        entry.put("urls", List.of(status.getArtifact().getUrl()));
        putIfSet(entry, "created", status.getArtifact().getLastUpdateTime());
        return entry;
    }

    private static Map<String, Object> dependency(ChartDependency dependency) {
        Map<String, Object> map = new LinkedHashMap<>();
        putIfSet(map, "name", dependency.getName());
        putIfSet(map, "version", dependency.getVersion());
        putIfSet(map, "repository", dependency.getRepository());
        putIfSet(map, "alias", dependency.getAlias());
        return map;
    }

    private static void putIfSet(Map<String, Object> map, String key, Object value) {
        if (value != null) {
            map.put(key, value);
        }
    }
}
