package io.helmoci.operator.source;

/**
 * The HTTP proxy of a resource's spec.proxySecretRef, as its Secret holds it (Flux's keys).
 * {@link #toString()} shows neither the address (it may hold credentials) nor the credentials.
 *
 * @param address  {@code http://host:port}, as the Secret's {@code address} key holds it
 * @param username the {@code username} key; null when the proxy needs no authentication
 * @param password the {@code password} key; null exactly when username is null
 */
public record ProxyAccess(String address, String username, String password) {
    @Override
    public String toString() {
        return "ProxyAccess[authenticated=" + (username != null) + "]";
    }
}
