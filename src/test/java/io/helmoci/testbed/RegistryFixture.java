package io.helmoci.testbed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real registry process (CNCF distribution v3 or Debian's distribution 2.8) bound to 127.0.0.1
 * on a free port, with its storage in a temp directory, in one of these modes: anonymous plain
 * HTTP, TLS with the run's {@link TestCa}, htpasswd Basic auth, bearer tokens from a
 * {@link TokenServer} the fixture runs, plus optional {@code notifications} endpoints.
 *
 * <p>Use it as a JUnit 5 extension ({@link Builder#extension()}, {@code @RegisterExtension static})
 * or directly ({@link Builder#start()}, then {@link #close()}). It can be stopped and started again
 * on the same port and storage, and it records every HTTP request the registry served, from the
 * registry's own access log.
 */
public class RegistryFixture implements AutoCloseable {
    private static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofSeconds(30);
    private static final String PROBE_AGENT = "helmoci-testbed-probe";
    /** Apache combined log format, which both generations write to stdout for every request. */
    private static final Pattern ACCESS_LINE = Pattern.compile(
            "^\\S+ \\S+ \\S+ \\[[^]]+] \"(\\S+) (\\S+) [^\"]*\" (\\d{3}) \\S+ \"[^\"]*\" \"([^\"]*)\"$");

    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly)));
    }

    /** How clients authenticate. */
    public enum AuthMode {
        NONE,
        BASIC,
        TOKEN
    }

    /** One request the registry served, from its access log; {@code path} includes the query string. */
    public record RegistryRequest(String method, String path, int status, String userAgent) {
        @Override
        public String toString() {
            return method + " " + path + " -> " + status;
        }

        /** {@code METHOD /path}, without the query and with every digest as {@code <d>}: comparable across runs. */
        public String withDigestsMasked() {
            return method + " " + path.replaceAll("\\?.*", "").replaceAll("sha256[:-][0-9a-f]{64}", "<d>");
        }
    }

    private final RegistryImplementation implementation;
    private final boolean tls;
    private final AuthMode authMode;
    private final Map<String, String> users;
    private final List<String> notificationUrls;
    private final Map<String, Object> configOverrides;
    private final Consumer<TokenServer> tokenServerSetup;
    private final boolean tokenServerHttps;
    private final Duration startupTimeout;
    private final TestCa ca;
    private final String address;

    private Path workDir;
    private Path storageDir;
    private Path logFile;
    private TokenServer tokenServer;
    private TestCa.Issued serverCertificate;
    private HttpClient httpClient;
    private int port;
    private Process process;
    private int requestsMark;
    private Duration lastStartup;

    protected RegistryFixture(Builder builder) {
        this.implementation = builder.implementation;
        this.tls = builder.tls;
        this.authMode = builder.authMode;
        this.users = Collections.unmodifiableMap(new LinkedHashMap<>(builder.users));
        this.notificationUrls = List.copyOf(builder.notificationUrls);
        this.configOverrides = new LinkedHashMap<>(builder.configOverrides);
        this.tokenServerSetup = builder.tokenServerSetup;
        this.tokenServerHttps = builder.tokenServerHttps == null ? builder.tls : builder.tokenServerHttps;
        this.startupTimeout = builder.startupTimeout;
        this.ca = builder.ca;
        this.storageDir = builder.storageDir;
        this.address = builder.address;
    }

    public static Builder builder(RegistryImplementation implementation) {
        return new Builder(implementation);
    }

    // ----- lifecycle

    /** Starts the registry (first call: on a free port; later calls: on the same port and storage) and waits until {@code /v2/} answers. */
    public synchronized RegistryFixture start() {
        if (isRunning()) {
            return this;
        }
        boolean first = workDir == null;
        if (first) {
            prepare();
        }
        for (int attempt = 1; ; attempt++) {
            if (first) {
                port = freePort();
            }
            Path config = writeConfig();
            long started = System.nanoTime();
            launch(config);
            String failure = awaitReady();
            if (failure == null) {
                lastStartup = Duration.ofNanos(System.nanoTime() - started);
                return this;
            }
            stop();
            // Another process may grab the free port between probing and binding: retry on a new one.
            if (first && attempt < 3 && logs().contains("address already in use")) {
                continue;
            }
            throw new IllegalStateException(implementation + " registry did not start on " + host() + ": " + failure
                    + "\n--- registry log\n" + logs());
        }
    }

    /** Stops the registry gracefully (SIGTERM), keeping port, storage and the token server. */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LIVE.remove(process);
        process = null;
    }

    /** Kills the registry at once (SIGKILL), as a crash would. */
    public synchronized void kill() {
        if (process != null) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            LIVE.remove(process);
            process = null;
        }
    }

    public synchronized RegistryFixture restart() {
        stop();
        return start();
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Stops the registry and the token server. The temp directory is left for post-mortems (it is small). */
    @Override
    public synchronized void close() {
        stop();
        if (tokenServer != null) {
            tokenServer.close();
            tokenServer = null;
        }
    }

    // ----- addresses and trust

    public RegistryImplementation implementation() {
        return implementation;
    }

    /** {@code 127.0.0.1:PORT} (or the {@link Builder#bindAddress}), the registry host as helm, oras and image references write it. */
    public String host() {
        return address + ":" + port;
    }

    public int port() {
        return port;
    }

    /** {@code http(s)://127.0.0.1:PORT}, without a trailing slash. */
    public URI baseUrl() {
        return URI.create((tls ? "https" : "http") + "://" + host());
    }

    /** {@code oci://127.0.0.1:PORT/<repoPath>}; {@code repoPath} may end with {@code :tag} or {@code @digest}. */
    public String ociUrl(String repoPath) {
        return "oci://" + host() + "/" + stripSlash(repoPath);
    }

    /** {@code 127.0.0.1:PORT/<repoPath>}: an image-style reference, as oras takes it. */
    public String reference(String repoPath) {
        return host() + "/" + stripSlash(repoPath);
    }

    public boolean isTls() {
        return tls;
    }

    public TestCa ca() {
        return ca;
    }

    /** PEM file of the CA that signed the registry (and token server) certificate. */
    public Path caFile() {
        return ca.caFile();
    }

    public X509Certificate caCertificate() {
        return ca.certificate();
    }

    /** A java.net.http client that trusts exactly the test CA and follows no redirects. */
    public HttpClient httpClient() {
        return httpClient;
    }

    // ----- authentication

    public AuthMode authMode() {
        return authMode;
    }

    /** The users (name to password) of the htpasswd file or the token server. */
    public Map<String, String> users() {
        return users;
    }

    /** The token server of a {@link AuthMode#TOKEN} registry. */
    public TokenServer tokenServer() {
        if (tokenServer == null) {
            throw new IllegalStateException("registry " + host() + " does not use token auth (mode " + authMode + ")");
        }
        return tokenServer;
    }

    // ----- observation

    /** Registry stdout and stderr so far, across restarts. */
    public String logs() {
        try {
            return logFile == null || !Files.exists(logFile) ? "" : Files.readString(logFile, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(cannot read " + logFile + ": " + e + ")";
        }
    }

    /**
     * The requests the registry served since start or {@link #resetRequests()}, without the
     * fixture's own probes. When running, it first waits until a marker request shows in the access
     * log, so requests made before this call are all counted ("no registry request was made" holds).
     */
    public List<RegistryRequest> requests() {
        List<RegistryRequest> all = allRequests(syncAccessLog());
        return all.subList(Math.min(requestsMark, all.size()), all.size()).stream()
                .filter(r -> !r.userAgent().startsWith(PROBE_AGENT))
                .toList();
    }

    /**
     * Adds this registry's log (and token requests) to {@code failure} as a suppressed exception, once,
     * and returns it: for tests that start a fixture themselves rather than through the extension.
     */
    public <T extends Throwable> T withLogAttached(T failure) {
        if (Arrays.stream(failure.getSuppressed())
                .noneMatch(s -> s instanceof RegistryExtension.RegistryLog log && log.fixture() == this)) {
            failure.addSuppressed(new RegistryExtension.RegistryLog(this));
        }
        return failure;
    }

    public void resetRequests() {
        requestsMark = allRequests(syncAccessLog()).size();
    }

    public Path storageDir() {
        return storageDir;
    }

    /**
     * Where the filesystem driver keeps a blob: overwrite it to simulate corruption at rest. The
     * registry serves the file as it is (no digest check on read). Blobs are content-addressed and
     * shared by every repository of the registry, so corrupt only content no other test uses.
     */
    public Path blobFile(String digest) {
        String[] parts = digest.split(":", 2);
        return storageDir.resolve(
                "docker/registry/v2/blobs/" + parts[0] + "/" + parts[1].substring(0, 2) + "/" + parts[1] + "/data");
    }

    /** Time from process launch to the first answer on {@code /v2/} at the last start. */
    public Duration lastStartupTime() {
        return lastStartup;
    }

    @Override
    public String toString() {
        return implementation + " registry at " + baseUrl() + " (auth " + authMode + ")";
    }

    // ----- internals

    private void prepare() {
        try {
            workDir = Files.createTempDirectory(
                    "helmoci-registry-" + implementation.name().toLowerCase() + "-");
            if (storageDir == null) {
                storageDir = Files.createDirectories(workDir.resolve("storage"));
            }
            logFile = workDir.resolve("registry.log");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        httpClient = HttpClient.newBuilder()
                .sslContext(ca.clientSslContext())
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        if (tls) {
            serverCertificate = ca.issueServerCertificate(workDir, "registry", address);
        }
        if (authMode == AuthMode.TOKEN) {
            tokenServer = TokenServer.startOn(address, ca, tokenServerHttps, workDir.resolve("token"));
            users.forEach(tokenServer::user);
            tokenServerSetup.accept(tokenServer);
        }
    }

    private Path writeConfig() {
        RegistryConfig config = new RegistryConfig(address, port, storageDir);
        if (tls) {
            config.tls(serverCertificate);
        }
        if (authMode == AuthMode.BASIC) {
            config.htpasswd(Htpasswd.write(workDir.resolve("htpasswd"), users));
        } else if (authMode == AuthMode.TOKEN) {
            config.token(tokenServer);
        }
        if (!notificationUrls.isEmpty()) {
            config.notifications(notificationUrls);
        }
        configOverrides.forEach(config::put);
        return config.write(workDir.resolve("config.yml"));
    }

    private void launch(Path config) {
        try {
            Files.writeString(
                    logFile,
                    "=== testbed: starting " + implementation + " " + implementation.version() + " on " + host()
                            + " ===\n",
                    StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
            ProcessBuilder builder = new ProcessBuilder(implementation.binary().toString(), "serve", config.toString())
                    .directory(workDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
            Map<String, String> env = builder.environment();
            // REGISTRY_* variables override config.yml in both generations; never inherit them.
            env.keySet().removeIf(k -> k.startsWith("REGISTRY_") || k.startsWith("OTEL_"));
            // distribution v3 sets up OpenTelemetry with an OTLP exporter by default.
            env.put("OTEL_TRACES_EXPORTER", "none");
            env.put("OTEL_METRICS_EXPORTER", "none");
            env.put("OTEL_LOGS_EXPORTER", "none");
            process = builder.start();
            LIVE.add(process);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + implementation.binary(), e);
        }
    }

    /** Null when ready, otherwise why not. */
    private String awaitReady() {
        long deadline = System.nanoTime() + startupTimeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                return "the process exited with code " + process.exitValue();
            }
            try {
                probe("/v2/");
                return null;
            } catch (IOException e) {
                sleep(25);
            }
        }
        return "no answer on " + baseUrl() + "/v2/ within " + startupTimeout;
    }

    private int probe(String path) throws IOException {
        try {
            return httpClient
                    .send(
                            HttpRequest.newBuilder(URI.create(baseUrl() + path))
                                    .timeout(Duration.ofSeconds(5))
                                    .header("User-Agent", PROBE_AGENT + (path.equals("/v2/") ? "" : "-sync"))
                                    .GET()
                                    .build(),
                            HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    /** Makes a marker request and waits for its access-log line; returns the log read after it. */
    private String syncAccessLog() {
        if (!isRunning()) {
            return logs();
        }
        String marker = "/v2/testbed-sync-" + UUID.randomUUID() + "/tags/list";
        try {
            probe(marker);
        } catch (IOException e) {
            return logs();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        String logs = logs();
        while (!logs.contains(marker) && System.nanoTime() < deadline) {
            sleep(10);
            logs = logs();
        }
        return logs;
    }

    private static List<RegistryRequest> allRequests(String logs) {
        List<RegistryRequest> requests = new ArrayList<>();
        for (String line : logs.split("\n")) {
            Matcher m = ACCESS_LINE.matcher(line);
            if (m.matches()) {
                requests.add(new RegistryRequest(m.group(1), m.group(2), Integer.parseInt(m.group(3)), m.group(4)));
            }
        }
        return requests;
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String stripSlash(String path) {
        return path.startsWith("/") ? path.substring(1) : path;
    }

    /** Configures a registry; nothing starts until {@link #start()} or the extension's beforeAll. */
    public static final class Builder {
        private final RegistryImplementation implementation;
        private boolean tls;
        private AuthMode authMode = AuthMode.NONE;
        private final Map<String, String> users = new LinkedHashMap<>();
        private final List<String> notificationUrls = new ArrayList<>();
        private final Map<String, Object> configOverrides = new LinkedHashMap<>();
        private Consumer<TokenServer> tokenServerSetup = t -> {};
        private Boolean tokenServerHttps;
        private Duration startupTimeout = DEFAULT_STARTUP_TIMEOUT;
        private TestCa ca = TestCa.shared();
        private Path storageDir;
        private String address = "127.0.0.1";

        private Builder(RegistryImplementation implementation) {
            this.implementation = implementation;
        }

        /** Mode b: HTTPS with a server certificate (SAN 127.0.0.1, localhost) from the test CA. */
        public Builder tls() {
            this.tls = true;
            return this;
        }

        /** Mode c: htpasswd Basic auth (bcrypt) over TLS. Add users with {@link #user}. */
        public Builder htpasswd() {
            this.authMode = AuthMode.BASIC;
            this.tls = true;
            return this;
        }

        /** Mode d: bearer tokens from a {@link TokenServer}, over TLS; the token server uses HTTPS when the registry does. */
        public Builder tokenAuth() {
            return tokenAuth(t -> {});
        }

        /** Mode d, with extra token-server setup (anonymous pull, denials, expiry ...), run once it has started. */
        public Builder tokenAuth(Consumer<TokenServer> setup) {
            this.authMode = AuthMode.TOKEN;
            this.tls = true;
            this.tokenServerSetup = setup;
            return this;
        }

        /** Serve over plain HTTP even with auth (htpasswd or token): call after {@link #htpasswd()} / {@link #tokenAuth()}. */
        public Builder plainHttp() {
            this.tls = false;
            return this;
        }

        /** Overrides the token-server scheme, which otherwise follows the registry's. */
        public Builder tokenServerHttps(boolean https) {
            this.tokenServerHttps = https;
            return this;
        }

        /** A user for htpasswd or the token server (a token-server user gets every action). */
        public Builder user(String name, String password) {
            users.put(name, password);
            return this;
        }

        /** Mode e: the registry POSTs its events (push, pull, delete) to {@code url}. */
        public Builder notifications(String url) {
            notificationUrls.add(url);
            return this;
        }

        /** Any other config.yml key, by dotted path, e.g. {@code ("validation.manifests.indexes.platforms", "none")}; null removes it. */
        public Builder config(String dottedKey, Object value) {
            configOverrides.put(dottedKey, value);
            return this;
        }

        public Builder ca(TestCa ca) {
            this.ca = ca;
            return this;
        }

        /** Use this storage directory (for example one another fixture filled) instead of a fresh one. */
        public Builder storageDir(Path dir) {
            this.storageDir = dir;
            return this;
        }

        /**
         * Listen on {@code ipAddress} (an address of this machine) instead of 127.0.0.1, the token server too,
         * with certificates valid for it: e.g. the host end of the test cluster's veth
         * ({@link ClusterFixture#hostIp()}), which the cluster's pods reach.
         */
        public Builder bindAddress(String ipAddress) {
            this.address = ipAddress;
            return this;
        }

        public Builder startupTimeout(Duration timeout) {
            this.startupTimeout = timeout;
            return this;
        }

        /** A fixture that is not started yet. */
        public RegistryFixture build() {
            return new RegistryFixture(this);
        }

        public RegistryFixture start() {
            return build().start();
        }

        /** A JUnit 5 extension: register it with {@code @RegisterExtension static}. */
        public RegistryExtension extension() {
            return new RegistryExtension(this);
        }
    }
}
