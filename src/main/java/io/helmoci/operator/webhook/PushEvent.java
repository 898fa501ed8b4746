package io.helmoci.operator.webhook;

import java.util.Locale;
import java.util.Objects;

/**
 * What a registry announced: something was pushed to {@code repository} on {@code registry}. Only
 * registry and repository select charts; tag and digest (either may be null) only tell identical
 * announcements apart. Nothing here is trusted beyond "look now".
 *
 * @param registry   host[:port] of the registry, lower case ({@code docker.io} for Docker Hub)
 * @param repository the repository path, lower case, without registry and tag
 */
public record PushEvent(String registry, String repository, String tag, String digest) {
    public PushEvent {
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(repository, "repository");
        registry = RepositoryAddress.normalizeRegistry(registry);
        repository = repository.toLowerCase(Locale.ROOT);
    }

    /** Identical announcements (a retried or replayed delivery) have the same fingerprint. */
    public String fingerprint() {
        return registry + "/" + repository + ":" + tag + "@" + digest;
    }

    /** Splits {@code host[:port]/path/name[:tag][@digest]} (as Quay, Harbor and Artifact Registry write it). */
    static PushEvent fromImageReference(String reference, String tag, String digest) {
        String rest = reference.trim();
        int at = rest.indexOf('@');
        if (at >= 0) {
            digest = digest == null ? rest.substring(at + 1) : digest;
            rest = rest.substring(0, at);
        }
        int slash = rest.indexOf('/');
        int colon = rest.lastIndexOf(':');
        if (colon > slash && slash >= 0) {
            tag = tag == null ? rest.substring(colon + 1) : tag;
            rest = rest.substring(0, colon);
        }
        if (slash <= 0 || slash == rest.length() - 1) {
            throw new MalformedEventException("'" + reference + "' is not a registry/repository reference");
        }
        return new PushEvent(rest.substring(0, slash), rest.substring(slash + 1), tag, digest);
    }
}
