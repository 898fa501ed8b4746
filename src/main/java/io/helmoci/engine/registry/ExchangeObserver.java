package io.helmoci.engine.registry;

/**
 * Told about every HTTP exchange with a registry or its token server (redirect hops and retries
 * included), for metrics. Labels stay few: the server as {@code host[:port]} and a result class,
 * never a path, a repository or a header. Called on the requesting thread: be quick, never throw.
 */
@FunctionalInterface
public interface ExchangeObserver {
    ExchangeObserver NONE = (server, result) -> {};

    /** The result of a request that got no response. */
    String TIMEOUT = "timeout";

    String TLS_ERROR = "tls_error";
    String CONNECTION_ERROR = "connection_error";

    /**
     * @param server {@code host}, with {@code :port} unless it is the scheme's default port
     * @param result the status class ({@code 2xx}, {@code 3xx}, {@code 4xx}, {@code 5xx}), or
     *               {@link #TIMEOUT}, {@link #TLS_ERROR}, {@link #CONNECTION_ERROR} when no response came
     */
    void exchanged(String server, String result);

    static String statusClass(int status) {
        return (status / 100) + "xx";
    }
}
