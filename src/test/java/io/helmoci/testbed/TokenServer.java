package io.helmoci.testbed;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.Signature;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Docker/OCI registry token server (distribution docs/spec/auth/token.md and oauth.md) that
 * the test support runs itself: {@code GET <realm>?service=&scope=} (anonymous or Basic) and the
 * OAuth2 {@code POST} form ({@code grant_type=password|refresh_token}).
 *
 * <p>It issues ES256 JWTs whose {@code x5c} header carries a signing certificate issued by the
 * test CA; the registry's {@code rootcertbundle} is that CA, which both distribution 2.8 and v3
 * accept. It is served over HTTPS with the test CA when the registry uses TLS, over plain HTTP
 * otherwise (the realm scheme follows the registry, as with real deployments).
 *
 * <p>Behaviour is mutable at any time, so a test can change expiry, deny a repository or count
 * requests between two calls of the code under test. Every request is recorded.
 */
public final class TokenServer implements AutoCloseable {
    public static final String DEFAULT_SERVICE = "helmoci-test-registry";
    public static final String DEFAULT_ISSUER = "helmoci-test-token-issuer";
    private static final Set<String> ALL_ACTIONS = Set.of("pull", "push", "delete", "*");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** How the token was asked for. */
    public enum Grant {
        /** GET without credentials (public GHCR / Docker Hub style). */
        ANONYMOUS,
        /** GET with {@code Authorization: Basic} (Harbor / private style). */
        BASIC,
        /** OAuth2 POST, {@code grant_type=password}. */
        PASSWORD,
        /** OAuth2 POST, {@code grant_type=refresh_token} (Docker {@code identitytoken}). */
        REFRESH_TOKEN
    }

    /** What a denied scope produces. */
    public enum Denial {
        /** Token issued without the denied actions: the registry then answers 401 {@code insufficient_scope}. */
        OMIT_FROM_TOKEN,
        /** The token server itself answers 401 UNAUTHORIZED. */
        HTTP_401,
        /** The token server itself answers 403 DENIED. */
        HTTP_403
    }

    /** Which token field(s) a GET response carries. OAuth2 POST responses always use {@code access_token}. */
    public enum TokenFields {
        TOKEN,
        ACCESS_TOKEN,
        BOTH
    }

    public record TokenRequest(
            String method,
            Grant grant,
            String username,
            List<String> scopes,
            String service,
            boolean offline,
            int status) {}

    private record User(String password, Set<String> actions) {}

    private record Rule(String repository, Set<String> actions, Denial denial) {
        boolean matches(Scope scope, String action) {
            return scope.type().equals("repository")
                    && scope.name().equals(repository)
                    && (actions.isEmpty() || actions.contains(action));
        }
    }

    /** {@code type:name:actions}; the name may contain {@code host:port}, so split on the first and last colon. */
    private record Scope(String type, String name, List<String> actions) {
        static Scope parse(String text) {
            int first = text.indexOf(':');
            int last = text.lastIndexOf(':');
            if (first < 0 || last == first) {
                return null;
            }
            String type = text.substring(0, first).replaceAll("\\(.*\\)$", "");
            return new Scope(
                    type,
                    text.substring(first + 1, last),
                    List.of(text.substring(last + 1).split(",")));
        }

        String format() {
            return type + ":" + name + ":" + String.join(",", actions);
        }
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "token-server");
        thread.setDaemon(true);
        return thread;
    });
    private final boolean https;
    private final String host;
    private final TestCa.Issued signer;
    private final TestCa.Issued untrustedSigner;
    private final Path rootCertBundle;
    private final String service;
    private final String issuer;
    private final Map<String, User> users = new ConcurrentHashMap<>();
    private final List<Rule> rules = new CopyOnWriteArrayList<>();
    private final Map<String, String> refreshTokens = new ConcurrentHashMap<>();
    private final List<TokenRequest> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger failuresLeft = new AtomicInteger();
    private final SecureRandom random = new SecureRandom();
    private volatile int failureStatus = 503;
    private volatile boolean anonymousPull;
    private volatile Integer expiresIn = 300;
    private volatile Instant issuedAt;
    private volatile boolean sendIssuedAt = true;
    private volatile TokenFields fields = TokenFields.BOTH;
    private volatile boolean postSupported = true;
    private volatile boolean signWithUntrustedKey;

    private TokenServer(TestCa ca, boolean https, Path dir, String service, String issuer, String host)
            throws IOException {
        this.https = https;
        this.host = host;
        this.service = service;
        this.issuer = issuer;
        Files.createDirectories(dir);
        this.signer = ca.issueSigningCertificate(dir, "token-signer");
        this.untrustedSigner =
                TestCa.create("untrusted token CA").issueSigningCertificate(dir, "untrusted-token-signer");
        this.rootCertBundle = Files.writeString(dir.resolve("token-root-certs.pem"), ca.caPem());
        InetSocketAddress address = new InetSocketAddress(host, 0);
        if (https) {
            HttpsServer httpsServer = HttpsServer.create(address, 0);
            httpsServer.setHttpsConfigurator(new HttpsConfigurator(
                    ca.issueServerCertificate(dir, "token-server", host).serverSslContext()));
            server = httpsServer;
        } else {
            server = HttpServer.create(address, 0);
        }
        server.createContext("/token", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    /** Starts a token server on a free 127.0.0.1 port, over HTTPS (with {@code ca}) when {@code https}. */
    public static TokenServer start(TestCa ca, boolean https, Path dir) {
        return start(ca, https, dir, DEFAULT_SERVICE, DEFAULT_ISSUER);
    }

    public static TokenServer start(TestCa ca, boolean https, Path dir, String service, String issuer) {
        return startOn("127.0.0.1", ca, https, dir, service, issuer);
    }

    /**
     * Starts a token server on a free port of {@code host} (an address of this machine, such as the host end
     * of the test cluster's veth, which pods reach); its certificate is valid for that address too.
     */
    public static TokenServer startOn(String host, TestCa ca, boolean https, Path dir) {
        return startOn(host, ca, https, dir, DEFAULT_SERVICE, DEFAULT_ISSUER);
    }

    private static TokenServer startOn(String host, TestCa ca, boolean https, Path dir, String service, String issuer) {
        try {
            return new TokenServer(ca, https, dir, service, issuer, host);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the token server", e);
        }
    }

    // ----- configuration (fluent, effective immediately)

    /** A user who gets every action asked for ({@code pull}, {@code push}, {@code delete}, {@code *}) unless {@code actions} narrows it. */
    public TokenServer user(String name, String password, String... actions) {
        users.put(name, new User(password, actions.length == 0 ? ALL_ACTIONS : Set.of(actions)));
        return this;
    }

    /** Whether a request without credentials gets a pull token (public GHCR / Docker Hub), or a 401 (private). */
    public TokenServer anonymousPull(boolean allowed) {
        this.anonymousPull = allowed;
        return this;
    }

    /** Denies {@code actions} (all when empty) on a repository, to everyone. */
    public TokenServer deny(String repository, Denial how, String... actions) {
        rules.add(new Rule(repository, Set.of(actions), how));
        return this;
    }

    public TokenServer clearDenials() {
        rules.clear();
        return this;
    }

    /** {@code expires_in} in seconds, or null to leave the field out. The JWT expires at issue time plus this (60 s when absent). */
    public TokenServer expiresIn(Integer seconds) {
        this.expiresIn = seconds;
        return this;
    }

    /**
     * Issue time written to {@code issued_at} and the JWT ({@code iat}, {@code nbf}, {@code exp} base);
     * null means "now". Set it in the past to make the registry reject the token as expired; mind the
     * registry's 60 s clock-skew leeway.
     */
    public TokenServer issuedAt(Instant instant) {
        this.issuedAt = instant;
        return this;
    }

    /** Whether responses carry {@code issued_at}. */
    public TokenServer sendIssuedAt(boolean send) {
        this.sendIssuedAt = send;
        return this;
    }

    public TokenServer fields(TokenFields fields) {
        this.fields = fields;
        return this;
    }

    /** When false, POST answers 404, as token servers without OAuth2 support do (clients must fall back to GET). */
    public TokenServer postSupported(boolean supported) {
        this.postSupported = supported;
        return this;
    }

    /** Sign with a key whose certificate the registry does not trust: every token is then rejected with 401. */
    public TokenServer signWithUntrustedKey(boolean untrusted) {
        this.signWithUntrustedKey = untrusted;
        return this;
    }

    /** The next {@code count} requests fail with {@code status} (for example 503) before any other processing. */
    public TokenServer failNextRequests(int count, int status) {
        this.failureStatus = status;
        this.failuresLeft.set(count);
        return this;
    }

    /** Back to the defaults (users kept): no anonymous pull, no denials, {@code expires_in} 300, both token fields, trusted key, requests cleared. */
    public TokenServer reset() {
        anonymousPull = false;
        rules.clear();
        expiresIn = 300;
        issuedAt = null;
        sendIssuedAt = true;
        fields = TokenFields.BOTH;
        postSupported = true;
        signWithUntrustedKey = false;
        failuresLeft.set(0);
        requests.clear();
        return this;
    }

    // ----- what the registry and clients need

    public URI realm() {
        return URI.create((https ? "https" : "http") + "://" + host + ":"
                + server.getAddress().getPort() + "/token");
    }

    public String service() {
        return service;
    }

    public String issuer() {
        return issuer;
    }

    /** The PEM bundle for the registry's {@code auth.token.rootcertbundle}. */
    public Path rootCertBundle() {
        return rootCertBundle;
    }

    public boolean isHttps() {
        return https;
    }

    // ----- observation

    public List<TokenRequest> requests() {
        return List.copyOf(requests);
    }

    public int requestCount() {
        return requests.size();
    }

    public long requestCount(Grant grant) {
        return requests.stream().filter(r -> r.grant() == grant).count();
    }

    public void resetRequests() {
        requests.clear();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    // ----- protocol

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            if (failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                record(method, null, null, List.of(), null, false, failureStatus);
                respond(
                        exchange,
                        failureStatus,
                        Map.of(
                                "errors",
                                List.of(Map.of(
                                        "code",
                                        "UNAVAILABLE",
                                        "message",
                                        "token server failure injected by the test"))));
                return;
            }
            if (method.equals("GET")) {
                handleGet(exchange);
            } else if (method.equals("POST") && postSupported) {
                handlePost(exchange);
            } else {
                record(method, null, null, List.of(), null, false, 404);
                respond(exchange, 404, Map.of("error", "not_found"));
            }
        } catch (RuntimeException e) {
            respond(exchange, 500, Map.of("error", "server_error", "error_description", String.valueOf(e)));
        }
    }

    private void handleGet(HttpExchange exchange) throws IOException {
        Map<String, List<String>> query = parseForm(exchange.getRequestURI().getRawQuery());
        List<String> scopes = scopes(query);
        String requestedService = first(query, "service");
        boolean offline = "true".equals(first(query, "offline_token"));
        String[] basic = basicCredentials(exchange.getRequestHeaders().getFirst("Authorization"));
        Grant grant = basic == null ? Grant.ANONYMOUS : Grant.BASIC;
        String username = basic == null ? null : basic[0];
        if (basic != null && !validPassword(basic[0], basic[1])) {
            reject(
                    exchange,
                    grant,
                    username,
                    scopes,
                    requestedService,
                    offline,
                    401,
                    "UNAUTHORIZED",
                    "invalid username or password");
            return;
        }
        if (basic == null && !anonymousPull) {
            reject(
                    exchange,
                    grant,
                    null,
                    scopes,
                    requestedService,
                    offline,
                    401,
                    "UNAUTHORIZED",
                    "authentication required");
            return;
        }
        issue(exchange, "GET", grant, username, scopes, requestedService, offline && username != null, false);
    }

    private void handlePost(HttpExchange exchange) throws IOException {
        Map<String, List<String>> form =
                parseForm(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        List<String> scopes = scopes(form);
        String requestedService = first(form, "service");
        String grantType = first(form, "grant_type");
        boolean offline = "offline".equals(first(form, "access_type"));
        Grant grant = "refresh_token".equals(grantType) ? Grant.REFRESH_TOKEN : Grant.PASSWORD;
        if (first(form, "client_id") == null || !("password".equals(grantType) || "refresh_token".equals(grantType))) {
            record("POST", grant, first(form, "username"), scopes, requestedService, offline, 400);
            respond(
                    exchange,
                    400,
                    Map.of(
                            "error",
                            "invalid_request",
                            "error_description",
                            "client_id and grant_type password|refresh_token are required"));
            return;
        }
        String username;
        if (grant == Grant.PASSWORD) {
            username = first(form, "username");
            if (username == null || !validPassword(username, first(form, "password"))) {
                record("POST", grant, username, scopes, requestedService, offline, 401);
                respond(
                        exchange,
                        401,
                        Map.of("error", "invalid_grant", "error_description", "invalid username or password"));
                return;
            }
        } else {
            String refreshToken = first(form, "refresh_token");
            username = refreshToken == null ? null : refreshTokens.get(refreshToken);
            if (username == null) {
                record("POST", grant, null, scopes, requestedService, offline, 400);
                respond(exchange, 400, Map.of("error", "invalid_grant", "error_description", "unknown refresh token"));
                return;
            }
        }
        issue(exchange, "POST", grant, username, scopes, requestedService, offline, true);
    }

    private void issue(
            HttpExchange exchange,
            String method,
            Grant grant,
            String username,
            List<String> scopes,
            String requestedService,
            boolean offline,
            boolean oauth)
            throws IOException {
        if (requestedService != null && !requestedService.equals(service)) {
            reject(
                    exchange,
                    grant,
                    username,
                    scopes,
                    requestedService,
                    offline,
                    400,
                    "INVALID_SERVICE",
                    "unknown service " + requestedService);
            return;
        }
        Set<String> allowed =
                username == null ? Set.of("pull") : users.get(username).actions();
        List<Scope> granted = new ArrayList<>();
        for (String text : scopes) {
            Scope scope = Scope.parse(text);
            if (scope == null) {
                continue;
            }
            List<String> actions = new ArrayList<>();
            for (String action : scope.actions()) {
                Rule rule = rules.stream()
                        .filter(r -> r.matches(scope, action))
                        .findFirst()
                        .orElse(null);
                if (rule != null && rule.denial() != Denial.OMIT_FROM_TOKEN) {
                    int status = rule.denial() == Denial.HTTP_403 ? 403 : 401;
                    reject(
                            exchange,
                            grant,
                            username,
                            scopes,
                            requestedService,
                            offline,
                            status,
                            status == 403 ? "DENIED" : "UNAUTHORIZED",
                            "access to " + scope.name() + " is denied");
                    return;
                }
                if (rule == null && (allowed.contains(action) || allowed.contains("*"))) {
                    actions.add(action);
                }
            }
            if (!actions.isEmpty()) {
                granted.add(new Scope(scope.type(), scope.name(), actions));
            }
        }
        Instant iat = issuedAt == null ? Instant.now() : issuedAt;
        Integer lifetime = expiresIn;
        String token = jwt(username, granted, iat, lifetime == null ? 60 : lifetime);
        Map<String, Object> body = new LinkedHashMap<>();
        if (!oauth && fields != TokenFields.ACCESS_TOKEN) {
            body.put("token", token);
        }
        if (oauth || fields != TokenFields.TOKEN) {
            body.put("access_token", token);
        }
        if (oauth) {
            body.put(
                    "scope",
                    String.join(" ", granted.stream().map(Scope::format).toList()));
        }
        if (lifetime != null) {
            body.put("expires_in", lifetime);
        }
        if (sendIssuedAt) {
            body.put("issued_at", DateTimeFormatter.ISO_INSTANT.format(iat.truncatedTo(ChronoUnit.SECONDS)));
        }
        if (offline && username != null) {
            String refreshToken = randomId();
            refreshTokens.put(refreshToken, username);
            body.put("refresh_token", refreshToken);
        }
        record(method, grant, username, scopes, requestedService, offline, 200);
        respond(exchange, 200, body);
    }

    private String jwt(String subject, List<Scope> granted, Instant iat, int lifetimeSeconds) {
        TestCa.Issued key = signWithUntrustedKey ? untrustedSigner : signer;
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("typ", "JWT");
        header.put("alg", "ES256");
        header.put("x5c", key.x5c());
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", issuer);
        claims.put("sub", subject == null ? "" : subject);
        claims.put("aud", service); // a string, not a list: distribution 2.8 only decodes a string
        claims.put("exp", iat.getEpochSecond() + lifetimeSeconds);
        claims.put("nbf", iat.getEpochSecond() - 1);
        claims.put("iat", iat.getEpochSecond());
        claims.put("jti", randomId());
        claims.put(
                "access",
                granted.stream()
                        .map(s -> Map.of("type", s.type(), "name", s.name(), "actions", s.actions()))
                        .toList());
        try {
            String signingInput =
                    base64Url(JSON.writeValueAsBytes(header)) + "." + base64Url(JSON.writeValueAsBytes(claims));
            // JWS ES256 wants the raw R||S signature, not the DER the plain JCA algorithm produces.
            Signature signature = Signature.getInstance("SHA256withECDSAinP1363Format");
            signature.initSign(key.privateKey());
            signature.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + base64Url(signature.sign());
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign a token", e);
        }
    }

    private void reject(
            HttpExchange exchange,
            Grant grant,
            String username,
            List<String> scopes,
            String requestedService,
            boolean offline,
            int status,
            String code,
            String message)
            throws IOException {
        record(exchange.getRequestMethod(), grant, username, scopes, requestedService, offline, status);
        if (status == 401) {
            exchange.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"" + realm() + "\"");
        }
        respond(exchange, status, Map.of("errors", List.of(Map.of("code", code, "message", message))));
    }

    private void record(
            String method,
            Grant grant,
            String username,
            List<String> scopes,
            String requestedService,
            boolean offline,
            int status) {
        requests.add(new TokenRequest(method, grant, username, List.copyOf(scopes), requestedService, offline, status));
    }

    private boolean validPassword(String username, String password) {
        User user = users.get(username);
        return user != null && user.password().equals(password);
    }

    private static void respond(HttpExchange exchange, int status, Object body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    /** Every {@code scope} value; one value may hold several space-separated scopes. */
    private static List<String> scopes(Map<String, List<String>> params) {
        Set<String> scopes = new LinkedHashSet<>();
        for (String value : params.getOrDefault("scope", List.of())) {
            for (String scope : value.trim().split(" +")) {
                if (!scope.isEmpty()) {
                    scopes.add(scope);
                }
            }
        }
        return List.copyOf(scopes);
    }

    private static Map<String, List<String>> parseForm(String raw) {
        Map<String, List<String>> params = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return params;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            params.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
        }
        return params;
    }

    private static String first(Map<String, List<String>> params, String key) {
        List<String> values = params.get(key);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    private static String[] basicCredentials(String header) {
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        String decoded =
                new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
        int colon = decoded.indexOf(':');
        return colon < 0 ? null : new String[] {decoded.substring(0, colon), decoded.substring(colon + 1)};
    }

    private String randomId() {
        byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private static String base64Url(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
