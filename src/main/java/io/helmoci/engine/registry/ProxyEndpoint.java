package io.helmoci.engine.registry;

import io.helmoci.engine.EngineException;
import io.helmoci.engine.Reason;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * One HTTP proxy: where it listens and, optionally, the basic-auth credentials it wants
 * ({@code Proxy-Authorization}). {@link #toString()} never shows the password.
 *
 * @param host     proxy host name or IP literal (IPv6 without brackets)
 * @param port     proxy port
 * @param username proxy user; null when the proxy needs no authentication
 * @param password proxy password; null exactly when username is null
 */
public record ProxyEndpoint(String host, int port, String username, String password) {
    public ProxyEndpoint {
        Objects.requireNonNull(host, "host");
        if (port <= 0 || port > 65535) {
            throw invalid("its port must be 1-65535");
        }
        if ((username == null) != (password == null)) {
            throw invalid("a proxy user name needs a password and the other way round");
        }
    }

    /**
     * Parses {@code [http://][user:password@]host[:port]} as Go's {@code httpproxy} does: a missing
     * scheme means {@code http://}, a missing port means 80; user and password are URL-decoded.
     * Only {@code http://} proxies are supported (TLS to the registry is tunnelled with CONNECT).
     *
     * @param source where the address came from, for the error message (e.g. "HTTPS_PROXY"); the
     *               address itself is never echoed, since it may hold a password
     */
    public static ProxyEndpoint parse(String address, String source) {
        String text = address == null ? "" : address.strip();
        if (text.isEmpty()) {
            throw invalid(source + " is empty");
        }
        URI uri;
        try {
            uri = new URI(text.contains("://") ? text : "http://" + text);
        } catch (URISyntaxException e) {
            throw invalid(source + " is not a valid URL");
        }
        if (!"http".equalsIgnoreCase(uri.getScheme())) {
            throw invalid(source + " uses the scheme '" + uri.getScheme()
                    + "'; only http:// proxies are supported (HTTPS to the registry goes through them with CONNECT)");
        }
        if (uri.getHost() == null) {
            throw invalid(source + " has no host");
        }
        String host = uri.getHost();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port = uri.getPort() < 0 ? 80 : uri.getPort();
        String userInfo = uri.getRawUserInfo();
        if (userInfo == null) {
            return new ProxyEndpoint(host, port, null, null);
        }
        int colon = userInfo.indexOf(':');
        String user = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
        String password = colon < 0 ? "" : decode(userInfo.substring(colon + 1));
        return new ProxyEndpoint(host, port, user, password);
    }

    /** The same proxy with these credentials (for a Secret that keeps them apart from the address); null user = none. */
    public ProxyEndpoint withCredentials(String user, String pass) {
        return user == null ? new ProxyEndpoint(host, port, null, null) : new ProxyEndpoint(host, port, user, pass);
    }

    public boolean hasCredentials() {
        return username != null;
    }

    /** {@code host:port}, for messages: never the credentials. */
    public String address() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    private static String decode(String text) {
        return URLDecoder.decode(text, StandardCharsets.UTF_8);
    }

    static EngineException invalid(String what) {
        return new EngineException(
                Reason.ProxyConfigurationInvalid,
                "The HTTP proxy setting is invalid: " + what
                        + ". Give it as http://host:port or http://user:password@host:port.");
    }

    @Override
    public String toString() {
        return "ProxyEndpoint[" + address() + ", authenticated=" + hasCredentials() + "]";
    }
}
