package io.helmoci.engine.registry;

import java.math.BigInteger;
import java.net.IDN;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import okhttp3.OkHttpClient;

/**
 * Which HTTP proxy, if any, a request to a registry (or its token service) goes through.
 *
 * <p>Either one proxy for every host ({@link #allThrough}: a resource's {@code proxySecretRef}, the
 * CLI's {@code --proxy}), or the environment's {@code HTTP_PROXY}, {@code HTTPS_PROXY} and
 * {@code NO_PROXY} ({@link #fromEnvironment}) with the semantics of Go's
 * {@code golang.org/x/net/http/httpproxy} (what Flux, Helm, oras and kubectl use):
 * <ul>
 *   <li>the upper-case variable wins over the lower-case one when both are set and non-empty;
 *   <li>{@code https://} requests use {@code HTTPS_PROXY} only, {@code http://} ones {@code HTTP_PROXY}
 *       only (no fallback between them, no {@code ALL_PROXY});
 *   <li>{@code NO_PROXY} is a comma-separated list of: {@code *} (no proxy at all); an IP address or a
 *       CIDR block (matches IP-literal hosts); {@code example.com} (that host and its subdomains);
 *       {@code .example.com} or {@code *.example.com} (subdomains only); each optionally with
 *       {@code :port} (then only that port, the scheme's default port counted).
 * </ul>
 * One deliberate difference from Go (the same as curl): {@code localhost} and loopback addresses are
 * not exempt unless {@code NO_PROXY} lists them. In a pod, loopback is never a registry; and
 * being explicit keeps a proxied registry on loopback testable.
 *
 * <p>{@link #toString()} shows no credentials; {@link #identity()} is a one-way digest for cache keys.
 */
public final class ProxyRules {
    private static final Pattern CIDR = Pattern.compile("^[0-9a-fA-F:.]+/\\d{1,3}$");

    private final ProxyEndpoint httpProxy;
    private final ProxyEndpoint httpsProxy;
    private final boolean noProxyAll;
    private final List<NoProxyEntry> noProxy;
    private final String canonical;

    private ProxyRules(ProxyEndpoint httpProxy, ProxyEndpoint httpsProxy, String noProxyList) {
        this.httpProxy = httpProxy;
        this.httpsProxy = httpsProxy;
        List<NoProxyEntry> entries = new ArrayList<>();
        boolean all = false;
        for (String item : noProxyList == null ? new String[0] : noProxyList.split(",")) {
            String entry = item.strip().toLowerCase(Locale.ROOT);
            if (entry.equals("*")) {
                all = true;
            } else if (!entry.isEmpty()) {
                NoProxyEntry parsed = NoProxyEntry.parse(entry);
                if (parsed != null) {
                    entries.add(parsed);
                }
            }
        }
        this.noProxyAll = all;
        this.noProxy = List.copyOf(entries);
        this.canonical =
                describe(httpProxy, true) + "\0" + describe(httpsProxy, true) + "\0" + noProxyAll + "\0" + noProxy;
    }

    /** Every request, whatever its host or scheme, through {@code proxy}. */
    public static ProxyRules allThrough(ProxyEndpoint proxy) {
        return new ProxyRules(proxy, proxy, null);
    }

    /**
     * The proxy rules of an environment such as {@code System.getenv()}; null when it sets neither
     * {@code HTTP_PROXY} nor {@code HTTPS_PROXY} (in either case), so the JVM's defaults apply.
     *
     * @throws io.helmoci.engine.EngineException with reason {@code ProxyConfigurationInvalid} for a
     *     proxy URL that cannot be used (the message names the variable, never its value)
     */
    public static ProxyRules fromEnvironment(Map<String, String> environment) {
        String httpName = firstSet(environment, "HTTP_PROXY", "http_proxy");
        String httpsName = firstSet(environment, "HTTPS_PROXY", "https_proxy");
        if (httpName == null && httpsName == null) {
            return null;
        }
        String noProxyName = firstSet(environment, "NO_PROXY", "no_proxy");
        return new ProxyRules(
                httpName == null ? null : ProxyEndpoint.parse(environment.get(httpName), httpName),
                httpsName == null ? null : ProxyEndpoint.parse(environment.get(httpsName), httpsName),
                noProxyName == null ? null : environment.get(noProxyName));
    }

    /** As Go's getEnvAny: the first of the names whose value is non-empty. */
    private static String firstSet(Map<String, String> environment, String... names) {
        for (String name : names) {
            String value = environment.get(name);
            if (value != null && !value.isBlank()) {
                return name;
            }
        }
        return null;
    }

    /** The proxy for a request to {@code scheme://host:port}, or empty to connect directly. */
    public Optional<ProxyEndpoint> proxyFor(String scheme, String host, int port) {
        ProxyEndpoint proxy = "https".equalsIgnoreCase(scheme) ? httpsProxy : httpProxy;
        if (proxy == null || bypasses(host, port)) {
            return Optional.empty();
        }
        return Optional.of(proxy);
    }

    /**
     * Makes an OkHttp client follow these rules: the proxy (or none) per request, and the proxy's
     * credentials sent to the proxy only. {@link HttpClientFactory} builds every registry client this
     * way; other HTTP clients of the engine (token or credential-exchange endpoints) use it too.
     */
    public OkHttpClient.Builder applyTo(OkHttpClient.Builder builder) {
        ProxyRouting routing = new ProxyRouting(this);
        return builder.proxySelector(routing.selector())
                .proxyAuthenticator(routing.authenticator())
                .addNetworkInterceptor(routing.plainHttpCredentials());
    }

    /** The proxy listening at {@code host:port} among these rules (to answer its authentication challenge). */
    Optional<ProxyEndpoint> endpointAt(String host, int port) {
        for (ProxyEndpoint proxy : new ProxyEndpoint[] {httpsProxy, httpProxy}) {
            if (proxy != null && proxy.port() == port && proxy.host().equalsIgnoreCase(host)) {
                return Optional.of(proxy);
            }
        }
        return Optional.empty();
    }

    private boolean bypasses(String rawHost, int port) {
        if (noProxyAll) {
            return true;
        }
        String host = rawHost.toLowerCase(Locale.ROOT);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        byte[] ip = ipLiteral(host);
        for (NoProxyEntry entry : noProxy) {
            if (entry.matches(host, ip, port)) {
                return true;
            }
        }
        return false;
    }

    /**
     * A one-way digest of the proxies (credentials included) and exclusions: answers shared between
     * callers are keyed by it, since what a proxy lets through may differ per proxy and account.
     */
    public String identity() {
        byte[] hash = Digest.newSha256().digest(canonical.getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(hash, 0, 12);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ProxyRules rules && rules.canonical.equals(canonical);
    }

    @Override
    public int hashCode() {
        return canonical.hashCode();
    }

    /** Proxy addresses and exclusions; never credentials. */
    @Override
    public String toString() {
        return "ProxyRules[http=" + describe(httpProxy, false) + ", https=" + describe(httpsProxy, false) + ", noProxy="
                + (noProxyAll ? "*" : noProxy) + "]";
    }

    private static String describe(ProxyEndpoint proxy, boolean withSecrets) {
        if (proxy == null) {
            return "direct";
        }
        return withSecrets && proxy.hasCredentials()
                ? proxy.address() + "\0" + proxy.username() + "\0" + proxy.password()
                : proxy.toString();
    }

    /** The address bytes of an IP literal, without any DNS lookup; null for a host name. */
    static byte[] ipLiteral(String host) {
        boolean v4 = host.matches("\\d{1,3}(\\.\\d{1,3}){3}");
        boolean v6 = host.indexOf(':') >= 0 && host.matches("[0-9a-f:.]+");
        if (!v4 && !v6) {
            return null;
        }
        try {
            return InetAddress.getByName(host).getAddress(); // a literal: parsed, never resolved
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** One NO_PROXY entry: a CIDR block, an IP address or a domain, with an optional port. */
    private record NoProxyEntry(byte[] network, int prefixBits, String domain, boolean matchesDomainItself, int port) {
        static NoProxyEntry parse(String entry) {
            if (CIDR.matcher(entry).matches()) {
                int slash = entry.indexOf('/');
                byte[] network = ipLiteral(entry.substring(0, slash));
                int bits = Integer.parseInt(entry.substring(slash + 1));
                if (network == null || bits > network.length * 8) {
                    return null; // as Go: an entry that is no valid CIDR, IP or name is ignored
                }
                return new NoProxyEntry(network, bits, null, false, 0);
            }
            String host = entry;
            int port = 0;
            int colon = entry.lastIndexOf(':');
            boolean bracketed = entry.startsWith("[");
            if (bracketed || (colon > 0 && entry.indexOf(':') == colon)) { // host:port or [v6]:port
                int close = entry.indexOf(']');
                String portText = bracketed
                        ? (close >= 0 && entry.length() > close + 1 && entry.charAt(close + 1) == ':'
                                ? entry.substring(close + 2)
                                : "")
                        : entry.substring(colon + 1);
                host = bracketed ? entry.substring(1, close < 0 ? entry.length() : close) : entry.substring(0, colon);
                if (!portText.isEmpty()) {
                    try {
                        port = Integer.parseInt(portText);
                    } catch (NumberFormatException e) {
                        return null;
                    }
                }
            }
            byte[] ip = ipLiteral(host);
            if (ip != null) {
                return new NoProxyEntry(ip, ip.length * 8, null, false, port);
            }
            if (host.startsWith("*.")) {
                host = host.substring(1);
            }
            boolean itself = !host.startsWith(".");
            String domain = itself ? "." + host : host;
            try {
                domain = IDN.toASCII(domain, IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
            } catch (IllegalArgumentException e) {
                // keep as given, as Go does when idna conversion fails
            }
            return new NoProxyEntry(null, 0, domain, itself, port);
        }

        boolean matches(String host, byte[] ip, int requestPort) {
            if (port != 0 && port != requestPort) {
                return false;
            }
            if (network != null) {
                return ip != null && ip.length == network.length && samePrefix(ip);
            }
            String name = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
            return name.endsWith(domain) || (matchesDomainItself && name.equals(domain.substring(1)));
        }

        private boolean samePrefix(byte[] ip) {
            int bits = ip.length * 8;
            BigInteger mask = BigInteger.ONE
                    .shiftLeft(bits)
                    .subtract(BigInteger.ONE)
                    .shiftRight(prefixBits)
                    .not();
            BigInteger a = new BigInteger(1, ip).and(mask);
            BigInteger b = new BigInteger(1, network).and(mask);
            return a.equals(b);
        }

        @Override
        public String toString() {
            if (network != null) {
                return HexFormat.of().formatHex(network) + "/" + prefixBits + (port != 0 ? ":" + port : "");
            }
            return (matchesDomainItself ? domain.substring(1) : domain) + (port != 0 ? ":" + port : "");
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof NoProxyEntry e && e.toString().equals(toString());
        }

        @Override
        public int hashCode() {
            return toString().hashCode();
        }
    }
}
