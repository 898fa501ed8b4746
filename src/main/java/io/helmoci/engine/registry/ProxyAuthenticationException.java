package io.helmoci.engine.registry;

import java.io.IOException;

/** The proxy answered 407 to a request that carried its credentials, or needs credentials and has none. */
final class ProxyAuthenticationException extends IOException {
    private final String proxyAddress;
    private final boolean credentialsGiven;
    private final int status;

    /** @param status 407, or 401 from a proxy (tinyproxy) that answers wrong credentials so */
    ProxyAuthenticationException(String proxyAddress, boolean credentialsGiven, int status) {
        super("The HTTP proxy at " + proxyAddress + " answered HTTP " + status
                + (credentialsGiven ? " to the credentials given" : "; no proxy credentials were given"));
        this.proxyAddress = proxyAddress;
        this.credentialsGiven = credentialsGiven;
        this.status = status;
    }

    int status() {
        return status;
    }

    String proxyAddress() {
        return proxyAddress;
    }

    boolean credentialsGiven() {
        return credentialsGiven;
    }
}
