package io.helmoci.engine.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.helmoci.engine.EngineException;
import io.helmoci.engine.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import okhttp3.FormBody;
import okhttp3.HttpUrl;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Answers registry authentication challenges and remembers the outcome across operations: which
 * scheme each registry uses (so later requests authenticate up front, saving a 401 round trip) and
 * bearer tokens until shortly before they expire.
 *
 * <p>Bearer flow (distribution token spec): GET the realm with {@code service} and
 * {@code scope=repository:<name>:pull}, with Basic credentials or none; with an identity token,
 * POST the OAuth2 refresh-token form and fall back to GET on 404/405.
 */
final class RegistryAuth {
    static final String OAUTH_CLIENT_ID = "helm-oci-operator";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_TOKEN_RESPONSE = 128 * 1024;
    private static final Duration DEFAULT_TOKEN_LIFETIME = Duration.ofSeconds(60);

    private final TokenCache tokens;
    private final Clock clock;
    /** origin -> the challenge it last answered with (Basic or Bearer, with realm and service). */
    private final Map<String, AuthChallenge> challenges = new ConcurrentHashMap<>();
    /**
     * One token fetch at a time per key stripe, so that concurrent first requests for a repository
     * (an operator starting with many resources) share one token instead of each fetching its own.
     */
    private final ReentrantLock[] fetchLocks = new ReentrantLock[64];

    RegistryAuth(Clock clock) {
        this.clock = clock;
        this.tokens = new TokenCache(clock);
        for (int i = 0; i < fetchLocks.length; i++) {
            fetchLocks[i] = new ReentrantLock();
        }
    }

    /**
     * Tokens are kept per credentials and per proxy: a token fetched through one proxy (account)
     * is not handed to a caller whose own proxy might not reach the token service.
     */
    private static String tokenIdentity(Credentials credentials, RegistryHttp http) {
        ProxyRules proxy = http.options().proxy();
        return proxy == null ? credentials.identity() : credentials.identity() + "@proxy:" + proxy.identity();
    }

    private ReentrantLock fetchLock(TokenCache.Key key) {
        return fetchLocks[Math.floorMod(key.hashCode(), fetchLocks.length)];
    }

    static String pullScope(String repository) {
        return "repository:" + repository + ":pull";
    }

    /**
     * What to send before any challenge: nothing for a registry not seen yet; for one that
     * challenged before, Basic credentials, the cached token, or a token fetched now from the realm
     * it named (saving the 401 round trip for a new repository or credential).
     *
     * @param authorization the header value, or null
     * @param fresh         whether the token was just issued (a 401 to it is final, not renewed)
     */
    record Preemptive(String authorization, boolean fresh) {
        static final Preemptive NONE = new Preemptive(null, false);
    }

    Preemptive preemptive(
            String origin, String scope, Credentials credentials, RegistryHttp http, String registry, String what) {
        if (credentials.kind() == Credentials.Kind.REGISTRY_TOKEN) {
            return new Preemptive("Bearer " + credentials.secret(), false);
        }
        AuthChallenge known = challenges.get(origin);
        if (known == null) {
            return Preemptive.NONE;
        }
        if (known.isBasic()) {
            return credentials.kind() == Credentials.Kind.BASIC
                    ? new Preemptive(credentials.basicAuthorization(), false)
                    : Preemptive.NONE;
        }
        TokenCache.Key key = new TokenCache.Key(origin, scope, tokenIdentity(credentials, http));
        String token = tokens.get(key);
        if (token != null) {
            return new Preemptive("Bearer " + token, false);
        }
        ReentrantLock lock = fetchLock(key);
        lock.lock();
        try {
            token = tokens.get(key); // fetched by another request while this one waited
            if (token != null) {
                return new Preemptive("Bearer " + token, true);
            }
            FetchedToken fetched = fetchToken(known, List.of(scope), credentials, http, registry, what);
            tokens.put(key, fetched.value, fetched.lifetime, fetched.issuedAt);
            return new Preemptive("Bearer " + fetched.value, true);
        } finally {
            lock.unlock();
        }
    }

    /**
     * The Authorization to retry with after a 401 from {@code origin}. Drops a rejected cached
     * token and fetches a fresh one (once per request: the caller does not call this twice).
     *
     * @param sent     the Authorization sent with the rejected request, or null
     * @param registry host[:port] for messages
     */
    String answer(
            List<AuthChallenge> offered,
            String origin,
            String scope,
            Credentials credentials,
            String sent,
            RegistryHttp http,
            String registry,
            String what) {
        AuthChallenge challenge = AuthChallenge.preferred(offered);
        if (challenge == null) {
            throw RegistryErrors.unauthorized(
                    registry, what, credentials, "HTTP 401 without a Basic or Bearer challenge");
        }
        if (credentials.kind() == Credentials.Kind.REGISTRY_TOKEN) {
            throw RegistryErrors.unauthorized(registry, what, credentials, "HTTP 401, registry token rejected");
        }
        challenges.put(origin, new AuthChallenge(challenge.scheme(), withoutScopeAndError(challenge.params())));
        if (challenge.isBasic()) {
            if (credentials.kind() != Credentials.Kind.BASIC) {
                throw RegistryErrors.unauthorized(
                        registry, what, credentials, "HTTP 401, the registry asks for username/password");
            }
            if (sent != null) {
                throw RegistryErrors.unauthorized(registry, what, credentials, "HTTP 401");
            }
            return credentials.basicAuthorization();
        }
        TokenCache.Key key = new TokenCache.Key(origin, scope, tokenIdentity(credentials, http));
        ReentrantLock lock = fetchLock(key);
        lock.lock();
        try {
            if (sent != null && sent.startsWith("Bearer ")) {
                tokens.invalidate(key, sent.substring("Bearer ".length()));
            }
            String renewed = tokens.get(key); // fetched by another request while this one waited
            if (renewed != null && !("Bearer " + renewed).equals(sent)) {
                return "Bearer " + renewed;
            }
            Set<String> scopes = new LinkedHashSet<>();
            scopes.add(scope);
            scopes.addAll(challenge.scopes());
            FetchedToken token = fetchToken(challenge, List.copyOf(scopes), credentials, http, registry, what);
            tokens.put(key, token.value, token.lifetime, token.issuedAt);
            return "Bearer " + token.value;
        } finally {
            lock.unlock();
        }
    }

    /** What is remembered of a challenge: realm and service, not the request-specific scope or error. */
    private static Map<String, String> withoutScopeAndError(Map<String, String> params) {
        Map<String, String> kept = new java.util.HashMap<>(params);
        kept.remove("scope");
        kept.remove("error");
        return kept;
    }

    private record FetchedToken(String value, Duration lifetime, Instant issuedAt) {}

    private FetchedToken fetchToken(
            AuthChallenge challenge,
            List<String> scopes,
            Credentials credentials,
            RegistryHttp http,
            String registry,
            String what) {
        HttpUrl realm = challenge.realm() == null ? null : HttpUrl.parse(challenge.realm());
        if (realm == null) {
            throw new EngineException(
                    Reason.RegistryUnavailable,
                    "Registry " + registry
                            + " asked for a bearer token without a valid realm URL. Check the registry's auth configuration.");
        }
        if (!realm.isHttps() && !credentials.isAnonymous() && !http.options().plainHttp()) {
            throw new EngineException(
                    Reason.TlsError,
                    "Registry " + registry + " sends clients to the plain-HTTP token server " + realm.host() + ":"
                            + realm.port()
                            + "; refusing to send credentials unencrypted. Serve the token realm over HTTPS.");
        }
        String tokenServer = realm.host() + ":" + realm.port();
        if (credentials.kind() == Credentials.Kind.IDENTITY_TOKEN) {
            FormBody.Builder form = new FormBody.Builder()
                    .add("grant_type", "refresh_token")
                    .add("refresh_token", credentials.secret())
                    .add("client_id", OAUTH_CLIENT_ID)
                    .add("scope", String.join(" ", scopes));
            if (challenge.service() != null) {
                form.add("service", challenge.service());
            }
            Response response = http.send(
                    new Request.Builder().url(realm).post(form.build()).build());
            if (response.code() != 404 && response.code() != 405) {
                return readToken(response, tokenServer, registry, what, credentials, http);
            }
            response.close(); // this token server has no OAuth2 POST endpoint: use the GET form
        }
        HttpUrl.Builder url = realm.newBuilder();
        if (challenge.service() != null) {
            url.addQueryParameter("service", challenge.service());
        }
        scopes.forEach(s -> url.addQueryParameter("scope", s));
        Request.Builder request = new Request.Builder().url(url.build()).get();
        if (!credentials.isAnonymous()) {
            request.header("Authorization", credentials.basicAuthorization());
        }
        return readToken(http.send(request.build()), tokenServer, registry, what, credentials, http);
    }

    private FetchedToken readToken(
            Response response,
            String tokenServer,
            String registry,
            String what,
            Credentials credentials,
            RegistryHttp http) {
        if (!response.isSuccessful()) {
            RegistryErrors.Failure failure = RegistryErrors.read(response);
            String where = "a token for " + what + " from token server " + tokenServer;
            throw RegistryErrors.toException(failure, where, registry, credentials);
        }
        JsonNode body;
        try (response;
                InputStream in = response.body().byteStream()) {
            byte[] bytes = in.readNBytes(MAX_TOKEN_RESPONSE + 1);
            if (bytes.length > MAX_TOKEN_RESPONSE) {
                throw new EngineException(
                        Reason.RegistryUnavailable,
                        "Token server " + tokenServer
                                + " answered more than 128 KiB. Check the registry's auth configuration.");
            }
            body = JSON.readTree(bytes);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new EngineException(
                    Reason.RegistryUnavailable,
                    "Token server " + tokenServer
                            + " answered something that is not a JSON token response. Check the registry's auth configuration.");
        } catch (IOException e) {
            // A token server that trickles or stalls is a Timeout (or a broken connection), as the registry itself
            // would be.
            throw http.classifyBodyFailure(e, response.request().url());
        }
        // oras-go prefers access_token when both are present.
        String token = text(body, "access_token");
        if (token == null) {
            token = text(body, "token");
        }
        if (token == null) {
            throw new EngineException(
                    Reason.RegistryUnavailable,
                    "Token server " + tokenServer
                            + " answered without a token or access_token. Check the registry's auth configuration.");
        }
        long expiresIn = body == null ? 0 : body.path("expires_in").asLong(0);
        Duration lifetime = expiresIn > 0 ? Duration.ofSeconds(expiresIn) : DEFAULT_TOKEN_LIFETIME;
        Instant issuedAt = null;
        String issued = text(body, "issued_at");
        if (issued != null) {
            try {
                issuedAt = Instant.parse(issued);
            } catch (DateTimeParseException ignored) {
                // lifetime counts from now
            }
        }
        return new FetchedToken(token, lifetime, issuedAt);
    }

    private static String text(JsonNode body, String field) {
        if (body == null) {
            return null;
        }
        JsonNode value = body.get(field);
        return value != null && value.isTextual() && !value.asText().isEmpty() ? value.asText() : null;
    }

    Clock clock() {
        return clock;
    }
}
