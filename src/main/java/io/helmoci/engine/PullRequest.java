package io.helmoci.engine;

import io.helmoci.engine.reference.OciReference;
import io.helmoci.engine.registry.RegistryOptions;
import java.util.Objects;

/**
 * What to resolve or pull.
 *
 * @param reference          the chart repository, with an optional tag and/or digest
 * @param version            an exact version, a semver range, or null (the reference's tag, else the newest release)
 * @param digest             an optional pin: the resolved manifest must have this digest; may be null
 * @param includePrereleases whether a range may select prereleases
 * @param options            credentials and transport
 */
public record PullRequest(
        OciReference reference, String version, String digest, boolean includePrereleases, RegistryOptions options) {
    public PullRequest {
        Objects.requireNonNull(reference, "reference");
        Objects.requireNonNull(options, "options");
        version = version == null || version.isBlank() ? null : version.trim();
        digest = digest == null || digest.isBlank() ? null : digest.trim();
    }

    public static PullRequest of(OciReference reference, RegistryOptions options) {
        return new PullRequest(reference, null, null, false, options);
    }
}
