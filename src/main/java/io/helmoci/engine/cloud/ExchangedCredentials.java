package io.helmoci.engine.cloud;

import io.helmoci.engine.registry.Credentials;
import java.time.Instant;
import java.util.Objects;

/** Registry credentials from a cloud exchange and when they stop working. */
public record ExchangedCredentials(Credentials credentials, Instant expiresAt) {
    public ExchangedCredentials {
        Objects.requireNonNull(credentials, "credentials");
        Objects.requireNonNull(expiresAt, "expiresAt");
    }

    @Override
    public String toString() {
        return "ExchangedCredentials[" + credentials + ", expiresAt=" + expiresAt + "]";
    }
}
