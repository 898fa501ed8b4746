package io.helmoci.engine.registry;

import java.io.IOException;

/** The proxy answered 407 to a request that carried its credentials, or needs credentials and has none. */
final class ProxyAuthenticationException extends IOException {
    private final String proxyAddress;
    private final boolean credentialsGiven;

    ProxyAuthenticationException(String proxyAddress, boolean credentialsGiven) {
        super("The HTTP proxy at " + proxyAddress + " answered 407 Proxy Authentication Required"
                + (credentialsGiven ? " to the credentials given" : "; no proxy credentials were given"));
        this.proxyAddress = proxyAddress;
        this.credentialsGiven = credentialsGiven;
    }

    String proxyAddress() {
        return proxyAddress;
    }

    boolean credentialsGiven() {
        return credentialsGiven;
    }
}
