package io.helmoci.operator.source;

import java.time.Duration;
import java.util.Objects;

/**
 * One chart to resolve or pull.
 *
 * @param url     oci://host[:port]/path/chart, without tag or digest
 * @param version an exact version or a range; null for the newest stable version
 * @param digest  an optional manifest digest pin
 * @param access  credentials and transport for the registry
 * @param timeout deadline for the whole operation
 */
public record ChartRequest(String url, String version, String digest, RegistryAccess access, Duration timeout) {
    public ChartRequest {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(access, "access");
        Objects.requireNonNull(timeout, "timeout");
        version = version == null || version.isBlank() ? null : version.trim();
        digest = digest == null || digest.isBlank() ? null : digest.trim();
    }
}
