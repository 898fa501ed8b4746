package io.helmoci.engine.registry;

import io.helmoci.engine.EngineException;
import io.helmoci.engine.Reason;
import java.io.IOException;
import java.util.Optional;

/**
 * The proxy's part in a failed request, for HTTP clients of the engine other than the registry's
 * (the clouds' token and exchange endpoints): a refused proxy password or an unreachable proxy get
 * the same reasons and messages as for a registry request.
 */
public final class ProxyFailures {
    private ProxyFailures() {}

    /**
     * The proxy failure behind {@code failure}, or empty when the proxy had no part in it.
     *
     * @param rules  the rules the request was routed by; null = no proxy of ours
     * @param target what was asked for, for the message (e.g. "AWS STS at sts.us-east-1.amazonaws.com:443")
     */
    public static Optional<EngineException> of(
            Throwable failure, ProxyRules rules, String scheme, String host, int port, String target) {
        ProxyAuthenticationException refused = RegistryHttp.causeOf(failure, ProxyAuthenticationException.class);
        if (refused != null) {
            return Optional.of(RegistryHttp.proxyAuthenticationFailed(refused));
        }
        Optional<ProxyEndpoint> proxy = rules == null ? Optional.empty() : rules.proxyFor(scheme, host, port);
        IOException io = RegistryHttp.causeOf(failure, IOException.class);
        if (proxy.isEmpty() || io == null) {
            return Optional.empty();
        }
        if (RegistryHttp.isConnectAuthenticationRefusal(io)) {
            return Optional.of(RegistryHttp.proxyAuthenticationFailed(new ProxyAuthenticationException(
                    proxy.get().address(),
                    proxy.get().hasCredentials(),
                    io.getMessage().contains("CONNECT: 401") ? 401 : 407)));
        }
        if (RegistryHttp.isProxyConnectionFailure(io)) {
            return Optional.of(new EngineException(
                    Reason.ProxyUnavailable,
                    "The HTTP proxy at " + proxy.get().address() + " could not open the connection to " + target
                            + " (" + io.getClass().getSimpleName() + ": " + io.getMessage()
                            + "). Check the proxy address (spec.proxySecretRef, HTTPS_PROXY/HTTP_PROXY), that the proxy"
                            + " is up and allows this host and port; list hosts to reach directly in NO_PROXY.",
                    io));
        }
        return Optional.empty();
    }
}
