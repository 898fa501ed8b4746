package io.helmoci.bench;

import io.helmoci.testbed.RegistryFixture.RegistryRequest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Registry requests by kind, from the registry's own access log, plus the token server's count:
 * figures that do not depend on how busy the machine is.
 *
 * @param registry     every request the registry served (401 challenges included)
 * @param tokens       requests to the token server (0 without token auth)
 * @param kinds        how many of each kind ({@code GET /v2/}, {@code tags}, {@code HEAD manifest}, ...)
 * @param challenges   how many of them were answered 401
 * @param layerGets    successful GETs of the chart layer blob this measurement is about (0 if none named)
 */
record RequestCounts(int registry, int tokens, Map<String, Integer> kinds, int challenges, int layerGets) {

    static RequestCounts of(List<RegistryRequest> requests, int tokens, String layerDigest) {
        Map<String, Integer> kinds = new LinkedHashMap<>();
        for (RegistryRequest request : requests) {
            kinds.merge(kind(request), 1, Integer::sum);
        }
        int challenges = (int) requests.stream().filter(r -> r.status() == 401).count();
        Predicate<RegistryRequest> layer = r -> layerDigest != null
                && r.method().equals("GET")
                && r.status() == 200
                && r.path().contains("/blobs/" + layerDigest);
        return new RequestCounts(requests.size(), tokens, kinds, challenges, (int)
                requests.stream().filter(layer).count());
    }

    int count(String kind) {
        return kinds.getOrDefault(kind, 0);
    }

    /** Registry plus token-server requests. */
    int total() {
        return registry + tokens;
    }

    /** E.g. "tags 1, HEAD manifest 1; 401 challenges 1; token requests 1", per call when {@code calls} > 1. */
    String describe(int calls) {
        StringBuilder text = new StringBuilder();
        kinds.forEach((kind, n) ->
                text.append(text.isEmpty() ? "" : ", ").append(kind).append(' ').append(per(n, calls)));
        if (challenges > 0) {
            text.append("; 401 challenges ").append(per(challenges, calls));
        }
        if (tokens > 0) {
            text.append("; token requests ").append(per(tokens, calls));
        }
        return text.isEmpty() ? "none" : text.toString();
    }

    private static String per(int n, int calls) {
        if (calls <= 1 || n % calls == 0) {
            return Integer.toString(n / Math.max(calls, 1));
        }
        return String.format("%.2f", n / (double) calls);
    }

    private static String kind(RegistryRequest request) {
        String path = request.path();
        String method = request.method();
        if (path.equals("/v2/") || path.equals("/v2")) {
            return method + " /v2/";
        }
        if (path.contains("/tags/list")) {
            return "tags";
        }
        if (path.contains("/manifests/")) {
            return method + " manifest";
        }
        if (path.contains("/blobs/")) {
            return method + " blob";
        }
        return method + " other";
    }
}
