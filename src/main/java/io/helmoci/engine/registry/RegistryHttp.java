package io.helmoci.engine.registry;

import io.helmoci.engine.EngineException;
import io.helmoci.engine.Reason;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;
import okhttp3.Call;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Sends one logical request for an operation: applies the operation deadline, retries with
 * backoff on 408/429/5xx and connection errors (honouring {@code Retry-After}), follows redirects
 * by hand and turns I/O failures into {@link EngineException}s. Authentication is the caller's.
 *
 * <p>Redirect policy: at most {@link TransportOptions#maxRedirects()} hops; {@code Authorization}
 * is dropped as soon as scheme, host or port change (and stays dropped); https to http is refused.
 * Never logs or reports headers: they may carry credentials.
 */
final class RegistryHttp {
    private static final System.Logger LOG = System.getLogger(RegistryHttp.class.getName());

    /** Sleeps; replaceable in tests. */
    interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    private final OkHttpClient client;
    private final TransportOptions options;
    private final Deadline deadline;
    private final Sleeper sleeper;
    private final AtomicLong requestCounter;
    private final ExchangeObserver observer;

    RegistryHttp(
            OkHttpClient client,
            TransportOptions options,
            Deadline deadline,
            AtomicLong requestCounter,
            ExchangeObserver observer,
            Sleeper sleeper) {
        this.client = client;
        this.options = options;
        this.deadline = deadline;
        this.requestCounter = requestCounter;
        this.observer = observer;
        this.sleeper = sleeper;
    }

    RegistryHttp(
            OkHttpClient client,
            TransportOptions options,
            Deadline deadline,
            AtomicLong requestCounter,
            ExchangeObserver observer) {
        this(
                client,
                options,
                deadline,
                requestCounter,
                observer,
                d -> Thread.sleep(d.toMillis(), (int) (d.toNanosPart() % 1_000_000)));
    }

    TransportOptions options() {
        return options;
    }

    /**
     * Sends the request and returns the final response, whatever its status, after retries; the
     * caller closes it. A response that is still 429 or 5xx after retries is returned as is.
     */
    Response send(Request request) {
        RetryPolicy policy = options.retry();
        for (int attempt = 0; ; attempt++) {
            deadline.check(describe(request));
            Response response;
            try {
                response = followRedirects(request);
            } catch (IOException e) {
                Failure failure = classify(e, request.url());
                if (!failure.retry || attempt >= policy.maxRetries()) {
                    throw failure.exception;
                }
                LOG.log(
                        System.Logger.Level.DEBUG,
                        () -> describe(request) + " failed (" + e.getClass().getSimpleName() + "), retrying");
                pause(policy.backoff(attempt, ThreadLocalRandom.current()::nextDouble), failure.exception);
                continue;
            }
            if (!RetryPolicy.isRetryableStatus(response.code()) || attempt >= policy.maxRetries()) {
                return response;
            }
            Duration wait = policy.backoff(attempt, ThreadLocalRandom.current()::nextDouble);
            Optional<Duration> retryAfter = RetryPolicy.parseRetryAfter(response.header("Retry-After"), Instant.now());
            if (retryAfter.isPresent()) {
                if (retryAfter.get().compareTo(policy.maxRetryAfter()) > 0) {
                    return response; // the registry asks for a longer pause than we wait in-line
                }
                wait = retryAfter.get().compareTo(wait) > 0 ? retryAfter.get() : wait;
            }
            if (wait.compareTo(deadline.remaining()) >= 0) {
                return response;
            }
            int code = response.code();
            response.close();
            LOG.log(System.Logger.Level.DEBUG, () -> describe(request) + " answered " + code + ", retrying");
            pause(wait, null);
        }
    }

    private void pause(Duration wait, EngineException ifOutOfTime) {
        if (wait.compareTo(deadline.remaining()) >= 0) {
            throw ifOutOfTime != null ? ifOutOfTime : deadline.timeout("waiting to retry");
        }
        try {
            sleeper.sleep(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EngineException(Reason.Timeout, "The operation was interrupted while waiting to retry.");
        }
    }

    private Response followRedirects(Request request) throws IOException {
        Request current = request;
        for (int hops = 0; ; hops++) {
            Response response = execute(current);
            if (!isRedirect(response.code())) {
                return response;
            }
            String location = response.header("Location");
            response.close();
            if (location == null) {
                throw new EngineException(
                        Reason.RegistryUnavailable,
                        describe(current) + " answered a redirect without a Location header.");
            }
            if (hops >= options.maxRedirects()) {
                throw new EngineException(
                        Reason.RegistryUnavailable,
                        describe(request) + " was redirected more than " + options.maxRedirects()
                                + " times. Check the registry's configuration.");
            }
            HttpUrl next = current.url().resolve(location);
            if (next == null) {
                throw new EngineException(
                        Reason.RegistryUnavailable, describe(current) + " redirected to an invalid location.");
            }
            if (current.url().isHttps() && !next.isHttps()) {
                throw new EngineException(
                        Reason.TlsError,
                        describe(current) + " redirected from HTTPS to plain HTTP (" + next.host() + ":" + next.port()
                                + "); refusing to downgrade. Fix the registry's redirect target.");
            }
            Request.Builder builder = current.newBuilder().url(next);
            if (!sameOrigin(current.url(), next)) {
                builder.removeHeader("Authorization");
            }
            current = builder.build();
        }
    }

    private Response execute(Request request) throws IOException {
        deadline.check(describe(request));
        requestCounter.incrementAndGet();
        Call call = client.newCall(request);
        call.timeout().timeout(Math.max(1, deadline.remaining().toNanos()), TimeUnit.NANOSECONDS);
        String server = server(request.url());
        Response response;
        try {
            response = call.execute();
        } catch (IOException e) {
            observer.exchanged(server, outcome(e));
            throw e;
        }
        observer.exchanged(server, ExchangeObserver.statusClass(response.code()));
        LOG.log(System.Logger.Level.DEBUG, () -> describe(request) + " -> " + response.code());
        return response;
    }

    /** host, and :port unless it is the scheme's default: a metric label, so no path. */
    static String server(HttpUrl url) {
        return url.port() == HttpUrl.defaultPort(url.scheme()) ? url.host() : url.host() + ":" + url.port();
    }

    /** What kind of failure left a request without a response (the metric's result label). */
    static String outcome(IOException e) {
        if (e instanceof InterruptedIOException) { // SocketTimeoutException included
            return ExchangeObserver.TIMEOUT;
        }
        if (e instanceof SSLException || hasCause(e, CertificateException.class)) {
            return ExchangeObserver.TLS_ERROR;
        }
        return ExchangeObserver.CONNECTION_ERROR;
    }

    static boolean isRedirect(int code) {
        return code == 301 || code == 302 || code == 303 || code == 307 || code == 308;
    }

    static boolean sameOrigin(HttpUrl a, HttpUrl b) {
        return a.scheme().equals(b.scheme()) && a.host().equalsIgnoreCase(b.host()) && a.port() == b.port();
    }

    static String origin(HttpUrl url) {
        return url.scheme() + "://" + url.host() + ":" + url.port();
    }

    /** Method and URL without the query (which can be long); never headers. */
    static String describe(Request request) {
        HttpUrl url = request.url();
        return request.method() + " " + url.scheme() + "://" + url.host() + ":" + url.port() + url.encodedPath();
    }

    private record Failure(EngineException exception, boolean retry) {}

    /** Maps a transport failure to a reason, and whether another attempt may help. */
    Failure classify(IOException e, HttpUrl url) {
        String where = url.host() + ":" + url.port();
        if (deadline.expired()) {
            return new Failure(deadline.timeout("The request to " + where), false);
        }
        Optional<EngineException> proxyFailure =
                ProxyFailures.of(e, options.proxy(), url.scheme(), url.host(), url.port(), "the registry at " + where);
        if (proxyFailure.isPresent()) {
            // an unreachable proxy may come back; a refused proxy password does not fix itself
            return new Failure(proxyFailure.get(), proxyFailure.get().reason() == Reason.ProxyUnavailable);
        }
        if (e instanceof SSLHandshakeException
                || e instanceof SSLPeerUnverifiedException
                || hasCause(e, CertificateException.class)) {
            return new Failure(
                    new EngineException(
                            Reason.TlsError,
                            "The TLS handshake with " + where + " failed: "
                                    + e.getMessage()
                                    + ". The registry's certificate is not trusted or does not match its name: "
                                    + "give the registry's CA certificate (caCertificatesPem / --ca-file), or fix the certificate.",
                            e),
                    false);
        }
        if (e instanceof SSLException) {
            return new Failure(
                    new EngineException(
                            Reason.TlsError,
                            "TLS with " + where + " failed: " + e.getMessage()
                                    + ". If the registry serves plain HTTP, enable plain HTTP for it; otherwise give the registry's CA certificate "
                                    + "(caCertificatesPem / --ca-file).",
                            e),
                    false);
        }
        if (e instanceof UnknownHostException) {
            return new Failure(
                    new EngineException(
                            Reason.RegistryUnavailable,
                            "The registry host " + url.host()
                                    + " cannot be resolved (DNS). Check the host name of the reference and the cluster's DNS.",
                            e),
                    false);
        }
        if (e instanceof ConnectException || e instanceof NoRouteToHostException) {
            return new Failure(
                    new EngineException(
                            Reason.RegistryUnavailable,
                            "Cannot connect to the registry at " + where + " (" + e.getMessage()
                                    + "). Check that the registry is up and reachable from here.",
                            e),
                    true);
        }
        if (e instanceof SocketTimeoutException || e instanceof InterruptedIOException) {
            return new Failure(
                    new EngineException(
                            Reason.Timeout,
                            "The registry at " + where
                                    + " did not answer in time. Check the network path to the registry, or raise the timeout.",
                            e),
                    true);
        }
        // A server that demands a client certificate may just drop the connection after the handshake.
        String mutualTlsHint = url.isHttps() && options.clientCertificatePem() == null
                ? " If the registry requires a client certificate (mutual TLS), give one."
                : "";
        return new Failure(
                new EngineException(
                        Reason.RegistryUnavailable,
                        "The connection to the registry at " + where + " failed (" + e.getMessage()
                                + "). Check that the registry is up and reachable from here." + mutualTlsHint,
                        e),
                true);
    }

    /** For failures while a response body is being read, after the retries are over. */
    EngineException classifyBodyFailure(IOException e, HttpUrl url) {
        return classify(e, url).exception;
    }

    /**
     * Failures that happen before the registry is reached when a proxy is in the way: the proxy's
     * host does not resolve or refuses the connection, or it answers the CONNECT with an error
     * (OkHttp reports "Unexpected response code for CONNECT: 403", a plain IOException).
     */
    static boolean isProxyConnectionFailure(IOException e) {
        return e instanceof UnknownHostException
                || e instanceof ConnectException
                || e instanceof NoRouteToHostException
                || (e.getMessage() != null && e.getMessage().contains("CONNECT"));
    }

    /**
     * Only the proxy answers a CONNECT, so a 401 to it is the proxy's too: tinyproxy answers wrong
     * credentials with 401 instead of 407 (OkHttp reports "Unexpected response code for CONNECT: 401").
     */
    static boolean isConnectAuthenticationRefusal(IOException e) {
        String message = e.getMessage();
        return message != null
                && (message.contains("response code for CONNECT: 401")
                        || message.contains("response code for CONNECT: 407"));
    }

    static EngineException proxyAuthenticationFailed(ProxyAuthenticationException e) {
        String fix = e.credentialsGiven()
                ? "The proxy rejected its user name or password: fix 'username' and 'password' in the Secret of spec.proxySecretRef"
                        + " (or the user:password@ part of HTTPS_PROXY/HTTP_PROXY or --proxy)."
                : "The proxy requires authentication and none was given: put 'username' and 'password' in the Secret of"
                        + " spec.proxySecretRef (or user:password@ in HTTPS_PROXY/HTTP_PROXY or --proxy).";
        return new EngineException(
                Reason.ProxyAuthenticationFailed,
                "The HTTP proxy at " + e.proxyAddress() + " refused the request: HTTP " + e.status()
                        + (e.status() == 407 ? " Proxy Authentication Required. " : " Unauthorized. ") + fix,
                e);
    }

    static <T extends Throwable> T causeOf(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
            for (Throwable suppressed : t.getSuppressed()) {
                if (type.isInstance(suppressed)) {
                    return type.cast(suppressed);
                }
            }
        }
        return null;
    }

    private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }
}
