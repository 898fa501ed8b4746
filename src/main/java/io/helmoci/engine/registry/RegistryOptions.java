package io.helmoci.engine.registry;

import java.util.Objects;

/** Everything about talking to one registry for one request: who we are and how to reach it. */
public record RegistryOptions(Credentials credentials, TransportOptions transport) {
    public RegistryOptions {
        Objects.requireNonNull(credentials, "credentials");
        Objects.requireNonNull(transport, "transport");
    }

    public static RegistryOptions defaults() {
        return new RegistryOptions(Credentials.anonymous(), TransportOptions.defaults());
    }

    public RegistryOptions withCredentials(Credentials newCredentials) {
        return new RegistryOptions(newCredentials, transport);
    }

    public RegistryOptions withTransport(TransportOptions newTransport) {
        return new RegistryOptions(credentials, newTransport);
    }
}
