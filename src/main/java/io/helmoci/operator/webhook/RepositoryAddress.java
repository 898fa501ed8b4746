package io.helmoci.operator.webhook;

import java.util.Locale;
import java.util.Optional;

/**
 * Registry and repository of a HelmOciChart's {@code oci://} url, normalized as events name them:
 * host lower case, Docker Hub's hosts as {@code docker.io}. Kept free of the engine's parser on
 * purpose (the operator reaches the engine only through its source adapter).
 */
public record RepositoryAddress(String registry, String repository) {
    /** The address of {@code url} ({@code oci://host[:port]/path/name[:tag]}), empty when it is not one. */
    public static Optional<RepositoryAddress> ofChartUrl(String url) {
        if (url == null || !url.regionMatches(true, 0, "oci://", 0, 6)) {
            return Optional.empty();
        }
        String rest = url.substring(6).trim();
        int slash = rest.indexOf('/');
        if (slash <= 0 || slash == rest.length() - 1) {
            return Optional.empty();
        }
        String repository = rest.substring(slash + 1);
        int at = repository.indexOf('@');
        if (at >= 0) {
            repository = repository.substring(0, at);
        }
        int colon = repository.lastIndexOf(':');
        if (colon > repository.lastIndexOf('/')) {
            repository = repository.substring(0, colon);
        }
        if (repository.endsWith("/")) {
            repository = repository.substring(0, repository.length() - 1);
        }
        return Optional.of(new RepositoryAddress(
                normalizeRegistry(rest.substring(0, slash)), repository.toLowerCase(Locale.ROOT)));
    }

    public boolean matches(PushEvent event) {
        return registry.equals(event.registry()) && repository.equals(event.repository());
    }

    static String normalizeRegistry(String host) {
        String h = host.trim().toLowerCase(Locale.ROOT);
        if (h.startsWith("https://")) {
            h = h.substring(8);
        } else if (h.startsWith("http://")) {
            h = h.substring(7);
        }
        if (h.endsWith("/")) {
            h = h.substring(0, h.length() - 1);
        }
        return switch (h) {
            case "registry-1.docker.io", "index.docker.io", "registry.hub.docker.com", "hub.docker.com" -> "docker.io";
            default -> h;
        };
    }
}
