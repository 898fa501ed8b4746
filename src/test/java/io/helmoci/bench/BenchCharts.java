package io.helmoci.bench;

import io.helmoci.testbed.ChartArchiveBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The operator benchmarks' chart set and resources: M = 100 distinct chart versions in 10 repositories
 * ({@code bench/app-0..9}, versions 1.0.0 to 1.9.0), as the comparison with Flux uses; resource i
 * names repository i % 10 and version 1.k.0 with k = (i / 10) % 10, even i exactly, odd i as the range
 * ~1.k.0 (which resolves to that one version). The operator suite (a process) and the cluster suite (a pod)
 * apply the same resources.
 */
final class BenchCharts {
    static final int CHARTS = 10;

    static final List<String> VERSIONS =
            IntStream.range(0, 10).mapToObj(k -> "1." + k + ".0").toList();
    /** Half the resources name an exact version, half a range (~1.k.0) that resolves to one version each. */
    static final String VERSION_RANGE = "half exact 1.k.0, half ~1.k.0";

    private BenchCharts() {}

    /** Packages the M charts under {@code work} and pushes them to {@code registry}. */
    static void push(BenchRegistry registry, Path work) throws IOException {
        for (int c = 0; c < CHARTS; c++) {
            String name = "app-" + c;
            for (String version : VERSIONS) {
                Path dir = Files.createDirectories(work.resolve("charts").resolve(name + "-" + version));
                Path chart =
                        ChartArchiveBuilder.chart(name, version).writeTo(dir.resolve(name + "-" + version + ".tgz"));
                registry.push("bench/" + name, version, chart);
            }
        }
    }

    /** N HelmOciCharts {@code chart-0..N-1} in one multi-document file for kubectl apply. */
    static Path writeResources(BenchRegistry registry, Path work, String namespace, int n, Duration interval)
            throws IOException {
        StringBuilder yaml = new StringBuilder();
        for (int i = 0; i < n; i++) {
            yaml.append(resourceYaml(registry, namespace, "chart-" + i, i, interval))
                    .append("---\n");
        }
        return Files.writeString(work.resolve("resources-" + n + ".yaml"), yaml, StandardCharsets.UTF_8);
    }

    /** Resource i, trusting the registry's CA through the Secret {@code registry-ca} of its namespace. */
    static String resourceYaml(BenchRegistry registry, String namespace, String name, int i, Duration interval) {
        return """
                apiVersion: helmoci.io/v1alpha1
                kind: HelmOciChart
                metadata: {name: %s, namespace: %s}
                spec:
                  url: %s
                  version: "%s"
                  interval: %s
                  certSecretRef: {name: registry-ca}
                """.formatted(
                        name,
                        namespace,
                        registry.fixture.ociUrl("bench/app-" + (i % CHARTS)),
                        versionOf(i),
                        goDuration(interval));
    }

    /** Resource i: repository i % 10, version 1.k.0 with k = (i / 10) % 10; even i exact, odd i the range ~1.k.0. */
    static String versionOf(int i) {
        String version = VERSIONS.get((i / CHARTS) % VERSIONS.size());
        return i % 2 == 0 ? version : "~" + version;
    }

    /** A Go duration the CRD accepts, in whole seconds. */
    static String goDuration(Duration duration) {
        return duration.toSeconds() + "s";
    }
}
