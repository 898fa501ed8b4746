package io.helmoci.engine.cloud;

import io.helmoci.engine.EngineException;
import io.helmoci.engine.Reason;
import io.helmoci.engine.registry.Credentials;
import io.helmoci.engine.registry.ProxyRules;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import okhttp3.OkHttpClient;

/**
 * Registry credentials from cloud workload identity, exchanged once per lifetime and shared by every
 * caller with the same identity and registry: renewed when 80% of their lifetime has passed (at most
 * five minutes before expiry), so a reconcile never meets expired credentials. If a renewal fails
 * while the old credentials are still valid, those are used and the next call tries again, so a
 * passing hiccup at the cloud does not fail a reconcile. One exchange at a time per key.
 *
 * <p>Cloud credentials are only sent to that cloud's registry domains (ECR, ACR, Artifact Registry
 * and GCR) and to hosts listed in {@link CloudSettings#extraRegistryHosts()}: a chart URL elsewhere
 * cannot collect them.
 */
public final class CloudCredentials {
    private static final Duration MAX_MARGIN = Duration.ofMinutes(5);
    private static final String PUBLIC_ECR = "public.ecr.aws";

    private static final Map<CloudProvider, Pattern> REGISTRY_DOMAINS = new EnumMap<>(Map.of(
            CloudProvider.AWS, AwsEcrExchange.ECR_HOST,
            CloudProvider.AZURE, Pattern.compile("^[a-z0-9-]+\\.azurecr\\.(?:io|cn|us|de)(?::\\d+)?$"),
            CloudProvider.GCP,
                    Pattern.compile("^(?:[a-z0-9-]+-docker\\.pkg\\.dev|(?:[a-z0-9-]+\\.)?gcr\\.io)(?::\\d+)?$")));

    private record Cached(ExchangedCredentials credentials, Instant renewAt) {}

    private static final int MAX_PROXIED_CLIENTS = 64;

    private final Map<CloudProvider, RegistryCredentialsExchange> exchanges;
    private final OkHttpClient http;
    /** One client per distinct proxy rules, sharing the base client's connection pool. */
    private final Map<ProxyRules, OkHttpClient> proxiedClients = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<ProxyRules, OkHttpClient> eldest) {
            return size() > MAX_PROXIED_CLIENTS;
        }
    };

    private final CloudSettings settings;
    private final Clock clock;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();
    private final Map<String, Object> locks = new ConcurrentHashMap<>();
    private final AtomicLong exchangeCount = new AtomicLong();

    public CloudCredentials(CloudSettings settings) {
        this(settings, defaultHttpClient(), Clock.systemUTC());
    }

    public CloudCredentials(CloudSettings settings, OkHttpClient http, Clock clock) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = clock;
        this.http = Objects.requireNonNull(http, "http");
        this.exchanges = new EnumMap<>(Map.of(
                CloudProvider.AWS, new AwsEcrExchange(settings, clock),
                CloudProvider.AZURE, new AzureAcrExchange(settings, clock),
                CloudProvider.GCP, new GcpExchange(http, settings, clock)));
    }

    private static OkHttpClient defaultHttpClient() {
        return new OkHttpClient.Builder()
                .connectTimeout(10, TimeUnit.SECONDS)
                .readTimeout(30, TimeUnit.SECONDS)
                .callTimeout(60, TimeUnit.SECONDS)
                .followRedirects(false)
                .build();
    }

    /**
     * Credentials for {@code registryHost} as {@code identity}: cached ones while fresh, otherwise
     * a new exchange (which asks the identity's token source for a token).
     *
     * @param registryHost host[:port] of the chart's registry
     * @param plainHttp    whether the registry is reached over plain HTTP
     */
    public Credentials credentials(CloudIdentity identity, String registryHost, boolean plainHttp) {
        return credentials(identity, registryHost, plainHttp, null);
    }

    /**
     * As {@link #credentials(CloudIdentity, String, boolean)}, with the cloud's token and exchange endpoints
     * reached through the same proxy as the registry: {@code proxy} decides per endpoint host (NO_PROXY included).
     * Cached credentials do not depend on the route, so they are shared whatever the proxy.
     *
     * @param proxy the registry requests' proxy rules; null = no proxy of ours (the JVM's defaults)
     */
    public Credentials credentials(CloudIdentity identity, String registryHost, boolean plainHttp, ProxyRules proxy) {
        String host = registryHost.toLowerCase(Locale.ROOT);
        if (identity.provider() == CloudProvider.AWS && PUBLIC_ECR.equals(host)) {
            // Public ECR serves every repository anonymously (its token endpoint hands out anonymous pull
            // tokens); an ECR Public GetAuthorizationToken only raises the rate limit, and needs the SDK's
            // ecrpublic module, which this build does not have. No identity is asked for or sent.
            return Credentials.anonymous();
        }
        requireCloudRegistry(identity.provider(), host);
        String key = identity.cacheKey(host);
        Cached cached = cache.get(key);
        Instant now = clock.instant();
        if (cached != null && now.isBefore(cached.renewAt())) {
            return cached.credentials().credentials();
        }
        synchronized (locks.computeIfAbsent(key, k -> new Object())) {
            cached = cache.get(key);
            now = clock.instant();
            if (cached != null && now.isBefore(cached.renewAt())) {
                return cached.credentials().credentials(); // renewed by another caller meanwhile
            }
            try {
                exchangeCount.incrementAndGet();
                ExchangedCredentials fresh = exchanges
                        .get(identity.provider())
                        .exchange(identity, host, plainHttp, new CloudHttp(clientFor(proxy), proxy));
                cache.put(key, new Cached(fresh, renewAt(now, fresh.expiresAt())));
                return fresh.credentials();
            } catch (EngineException e) {
                if (cached != null && now.isBefore(cached.credentials().expiresAt())) {
                    return cached.credentials().credentials(); // still valid: renew on a later call
                }
                cache.remove(key);
                throw e;
            }
        }
    }

    private OkHttpClient clientFor(ProxyRules proxy) {
        if (proxy == null) {
            return http;
        }
        synchronized (proxiedClients) {
            return proxiedClients.computeIfAbsent(
                    proxy, rules -> rules.applyTo(http.newBuilder()).build());
        }
    }

    /** How many exchanges were made (for metrics and the tests that prove one per lifetime). */
    public long exchangeCount() {
        return exchangeCount.get();
    }

    static Instant renewAt(Instant now, Instant expiresAt) {
        Duration lifetime = Duration.between(now, expiresAt);
        if (lifetime.isNegative() || lifetime.isZero()) {
            return now; // already expired: use once, exchange again next time
        }
        Duration margin = lifetime.dividedBy(5);
        if (margin.compareTo(MAX_MARGIN) > 0) {
            margin = MAX_MARGIN;
        }
        return expiresAt.minus(margin);
    }

    private void requireCloudRegistry(CloudProvider provider, String host) {
        if (settings.extraRegistryHosts().contains(host)
                || REGISTRY_DOMAINS.get(provider).matcher(host).matches()) {
            return;
        }
        String expected = switch (provider) {
            case AWS -> "<account>.dkr.ecr.<region>.amazonaws.com";
            case AZURE -> "<name>.azurecr.io";
            case GCP -> "<region>-docker.pkg.dev or gcr.io";
        };
        throw new EngineException(
                Reason.CloudIdentityNotConfigured,
                "Registry " + host + " is not a " + provider.id() + " registry (" + expected + "): cloud credentials"
                        + " are only sent to the cloud's own registries. Use provider generic with a Secret, or, for a"
                        + " private name of the cloud's registry, add the host to helmoci.identity.registry-hosts.");
    }
}
