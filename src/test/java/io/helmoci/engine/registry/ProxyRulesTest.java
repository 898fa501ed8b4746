package io.helmoci.engine.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.helmoci.engine.EngineException;
import io.helmoci.engine.Reason;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** HTTP_PROXY / HTTPS_PROXY / NO_PROXY as Go's httpproxy reads them (its test table's cases), and where we differ. */
class ProxyRulesTest {
    private static Map<String, String> env(String... pairs) {
        Map<String, String> env = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return env;
    }

    private static Optional<String> proxyFor(ProxyRules rules, String url) {
        java.net.URI uri = java.net.URI.create(url);
        int port = uri.getPort() >= 0 ? uri.getPort() : uri.getScheme().equals("https") ? 443 : 80;
        return rules.proxyFor(uri.getScheme(), uri.getHost(), port).map(ProxyEndpoint::address);
    }

    @Test
    void noProxyVariablesMeansTheJvmDefaults() {
        assertThat(ProxyRules.fromEnvironment(env("NO_PROXY", "example.com"))).isNull();
        assertThat(ProxyRules.fromEnvironment(env("HTTPS_PROXY", ""))).isNull();
    }

    @Test
    void upperCaseWinsAndEachSchemeHasItsOwnVariable() {
        ProxyRules rules = ProxyRules.fromEnvironment(
                env("HTTPS_PROXY", "upper:3128", "https_proxy", "lower:3128", "http_proxy", "http://plain:8080"));

        assertThat(proxyFor(rules, "https://registry.example.com/v2/")).contains("upper:3128");
        assertThat(proxyFor(rules, "http://registry.example.com/v2/")).contains("plain:8080");
        ProxyRules httpsOnly = ProxyRules.fromEnvironment(env("HTTPS_PROXY", "secure:3128"));
        assertThat(proxyFor(httpsOnly, "http://registry.example.com/")).isEmpty(); // no fallback, as Go
    }

    @Test
    void aProxyWithoutSchemeOrPortIsHttpOnPort80() {
        ProxyRules rules = ProxyRules.fromEnvironment(env("https_proxy", "user:p%40ss@proxy.corp"));
        ProxyEndpoint proxy = rules.proxyFor("https", "r.example", 443).orElseThrow();

        assertThat(proxy.address()).isEqualTo("proxy.corp:80");
        assertThat(proxy.username()).isEqualTo("user");
        assertThat(proxy.password()).isEqualTo("p@ss");
        assertThat(rules.toString()).doesNotContain("p@ss").doesNotContain("p%40ss");
    }

    @ParameterizedTest(name = "NO_PROXY={0}: {1} proxied={2}")
    @CsvSource(
            delimiter = '|',
            value = {
                // host and its subdomains
                "example.com | https://example.com/ | false",
                "example.com | https://sub.example.com/ | false",
                "example.com | https://notexample.com/ | true",
                // leading dot or *.: subdomains only (Go; curl would also exempt the domain itself)
                ".example.com | https://example.com/ | true",
                ".example.com | https://a.b.example.com/ | false",
                "*.example.com | https://example.com/ | true",
                "*.example.com | https://x.example.com/ | false",
                // case, spaces and empty entries
                " , EXAMPLE.com , | https://Sub.Example.COM/ | false",
                // host:port: only that port, the default port counted
                "example.com:5000 | https://example.com:5000/ | false",
                "example.com:5000 | https://example.com/ | true",
                "example.com:443 | https://example.com/ | false",
                // IP and CIDR match IP literals only
                "10.1.2.3 | https://10.1.2.3:5000/ | false",
                "10.1.2.3 | https://10.1.2.4/ | true",
                "10.0.0.0/8 | https://10.200.3.4/ | false",
                "10.0.0.0/8 | https://11.0.0.1/ | true",
                "10.0.0.0/8 | https://ten.example/ | true",
                "127.0.0.2:5000 | https://127.0.0.2:5000/ | false",
                "127.0.0.2:5000 | https://127.0.0.2:5001/ | true",
                "2001:db8::/32 | https://[2001:db8::1]/ | false",
                "2001:db8::/32 | https://[2001:db9::1]/ | true",
                "::1 | https://[::1]:5000/ | false",
                // everything
                "* | https://anything.example/ | false",
                // loopback and localhost are proxied unless listed (Go exempts them; we follow curl)
                "example.com | https://127.0.0.1:5000/ | true",
                "example.com | https://localhost:5000/ | true",
                "localhost,127.0.0.0/8 | https://localhost:5000/ | false",
                "localhost,127.0.0.0/8 | https://127.0.0.3:5000/ | false",
                // an invalid entry is ignored, the rest still counts
                "10.0.0.0/99,example.com | https://example.com/ | false",
            })
    void noProxyFollowsGoSemantics(String noProxy, String url, boolean proxied) {
        ProxyRules rules = ProxyRules.fromEnvironment(env("HTTPS_PROXY", "http://proxy:3128", "NO_PROXY", noProxy));

        assertThat(proxyFor(rules, url).isPresent()).isEqualTo(proxied);
    }

    @Test
    void oneProxyForAllIgnoresNoProxy() {
        ProxyRules rules = ProxyRules.allThrough(ProxyEndpoint.parse("http://proxy:3128", "address"));

        assertThat(proxyFor(rules, "http://localhost:5000/")).contains("proxy:3128");
        assertThat(proxyFor(rules, "https://127.0.0.1/")).contains("proxy:3128");
    }

    @Test
    void unusableProxyUrlsNameTheVariableNotTheValue() {
        for (String bad :
                new String[] {"socks5://u:hunter2@proxy:1080", "https://u:hunter2@proxy", "http://u:hunter2@:80"}) {
            assertThatThrownBy(() -> ProxyRules.fromEnvironment(env("HTTPS_PROXY", bad)))
                    .isInstanceOfSatisfying(EngineException.class, e -> {
                        assertThat(e.reason()).isEqualTo(Reason.ProxyConfigurationInvalid);
                        assertThat(e.getMessage()).contains("HTTPS_PROXY").doesNotContain("hunter2");
                    });
        }
    }

    @Test
    void identityChangesWithTheCredentialsButHoldsNoSecret() {
        ProxyRules a = ProxyRules.allThrough(ProxyEndpoint.parse("http://u:secret-one@proxy:3128", "address"));
        ProxyRules b = ProxyRules.allThrough(ProxyEndpoint.parse("http://u:secret-two@proxy:3128", "address"));
        ProxyRules a2 = ProxyRules.allThrough(ProxyEndpoint.parse("http://u:secret-one@proxy:3128", "address"));

        assertThat(a.identity()).isNotEqualTo(b.identity()).isEqualTo(a2.identity());
        assertThat(a).isEqualTo(a2).isNotEqualTo(b);
        assertThat(a.identity() + a).doesNotContain("secret-one");
    }
}
