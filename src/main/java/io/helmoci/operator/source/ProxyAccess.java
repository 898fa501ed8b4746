package io.helmoci.operator.source;

import io.helmoci.engine.registry.ProxyEndpoint;
import io.helmoci.engine.registry.ProxyRules;

/**
 * The HTTP proxy of a resource's spec.proxySecretRef, as its Secret holds it (Flux's keys).
 * {@link #toString()} shows neither the address (it may hold credentials) nor the credentials.
 *
 * @param address  {@code http://host:port}, as the Secret's {@code address} key holds it
 * @param username the {@code username} key; null when the proxy needs no authentication
 * @param password the {@code password} key; null exactly when username is null
 */
public record ProxyAccess(String address, String username, String password) {
    /**
     * The rules for a resource's requests (registry, token and cloud exchange endpoints alike): every
     * request through the proxy of spec.proxySecretRef when it has one, else the operator's environment.
     *
     * @param access           the resource's proxy; null when it has no spec.proxySecretRef
     * @param environmentProxy the operator's HTTPS_PROXY/HTTP_PROXY/NO_PROXY; null = none set
     */
    public static ProxyRules rules(ProxyAccess access, ProxyRules environmentProxy) {
        return access != null ? ProxyRules.allThrough(access.endpoint()) : environmentProxy;
    }

    /** Credentials in both the address and the username/password keys: the keys win (the address's are dropped). */
    public ProxyEndpoint endpoint() {
        ProxyEndpoint endpoint = ProxyEndpoint.parse(address, "the 'address' of spec.proxySecretRef's Secret");
        return username == null ? endpoint : endpoint.withCredentials(username, password);
    }

    @Override
    public String toString() {
        return "ProxyAccess[authenticated=" + (username != null) + "]";
    }
}
