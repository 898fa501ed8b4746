package io.helmoci.bench;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What the API server counted itself ({@code apiserver_request_total} of its Prometheus metrics). */
final class ApiServerMetrics {
    private ApiServerMetrics() {}

    /**
     * Requests that write (create, update, patch, apply, delete) to the API server since it started, by
     * resource[/subresource], from its own Prometheus metrics: the operator's finalizer and status patches,
     * its Events and leader Lease renewals, and the benchmark's own kubectl apply.
     */
    static Map<String, Double> writes(KubernetesClient client) {
        Map<String, Double> writes = new TreeMap<>();
        for (String line : metrics(client)) {
            if (line.startsWith("apiserver_request_total{")
                    && line.matches(".*verb=\"(POST|PUT|PATCH|APPLY|UPDATE|CREATE|DELETE)\".*")) {
                String resource = label(line, "resource");
                String subresource = label(line, "subresource");
                String verb = label(line, "verb");
                if (resource.isEmpty()) {
                    continue;
                }
                String key = verb + " " + resource + (subresource.isEmpty() ? "" : "/" + subresource);
                writes.merge(key, value(line), Double::sum);
            }
        }
        return writes;
    }

    /**
     * Requests to the HelmOciChart status subresource that changed or could change it (PATCH, server-side
     * APPLY, UPDATE) since the API server started.
     */
    static double statusPatches(KubernetesClient client) {
        double total = 0;
        for (String line : metrics(client)) {
            if (line.startsWith("apiserver_request_total{")
                    && line.contains("resource=\"helmocicharts\"")
                    && line.contains("subresource=\"status\"")
                    && line.matches(".*verb=\"(PATCH|APPLY|UPDATE)\".*")) {
                total += value(line);
            }
        }
        return total;
    }

    static Map<String, Double> difference(Map<String, Double> after, Map<String, Double> before) {
        Map<String, Double> diff = new TreeMap<>();
        after.forEach((key, value) -> {
            double d = value - before.getOrDefault(key, 0.0);
            if (d > 0.5) {
                diff.put(key, d);
            }
        });
        return diff;
    }

    /** {@code total: VERB resource count, ...}. */
    static String describe(Map<String, Double> writes) {
        long total = Math.round(writes.values().stream().mapToDouble(d -> d).sum());
        StringBuilder text = new StringBuilder(total + ":");
        writes.forEach((key, value) -> text.append(' ')
                .append(key)
                .append(' ')
                .append(Math.round(value))
                .append(','));
        return text.charAt(text.length() - 1) == ',' ? text.substring(0, text.length() - 1) : text.toString();
    }

    private static String[] metrics(KubernetesClient client) {
        return client.raw(client.getMasterUrl() + "metrics").split("\n");
    }

    private static double value(String line) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    }

    private static String label(String line, String name) {
        Matcher m = Pattern.compile("[{,]" + name + "=\"([^\"]*)\"").matcher(line);
        return m.find() ? m.group(1) : "";
    }
}
