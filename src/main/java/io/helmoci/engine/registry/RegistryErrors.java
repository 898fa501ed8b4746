package io.helmoci.engine.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.helmoci.engine.EngineException;
import io.helmoci.engine.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import okhttp3.Response;
import okhttp3.ResponseBody;

/** Reads registry error bodies ({@code {"errors":[{"code","message"}]}}) and maps statuses to reasons. */
final class RegistryErrors {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_ERROR_BODY = 64 * 1024;
    private static final int MAX_MESSAGE = 300;

    /** One entry of a registry error body. */
    record RegistryError(String code, String message) {
        @Override
        public String toString() {
            return message == null || message.isBlank() ? code : code + ": " + message;
        }
    }

    /** The response's status and registry error codes, read once (the body is consumed). */
    record Failure(int status, List<RegistryError> errors) {
        boolean hasCode(String code) {
            return errors.stream().anyMatch(e -> code.equals(e.code()));
        }

        String detail() {
            String codes = errors.isEmpty()
                    ? ""
                    : " (" + errors.stream().map(RegistryError::toString).collect(Collectors.joining("; ")) + ")";
            return "HTTP " + status + codes;
        }
    }

    private RegistryErrors() {}

    /** Reads the error from a failed response and closes it. Never throws for an unreadable body. */
    static Failure read(Response response) {
        try (response) {
            ResponseBody body = response.body();
            List<RegistryError> errors = new ArrayList<>();
            if (!"HEAD".equals(response.request().method())) {
                try (InputStream in = body.byteStream()) {
                    byte[] bytes = in.readNBytes(MAX_ERROR_BODY);
                    JsonNode root = JSON.readTree(bytes);
                    if (root != null && root.path("errors").isArray()) {
                        for (JsonNode error : root.get("errors")) {
                            errors.add(new RegistryError(
                                    error.path("code").asText("UNKNOWN"),
                                    shorten(error.path("message").asText(""))));
                        }
                    }
                } catch (IOException | RuntimeException notJson) {
                    // a plain-text or HTML error page: the status alone has to do
                }
            }
            return new Failure(response.code(), List.copyOf(errors));
        }
    }

    /**
     * The exception for a failed registry request, for any status a caller does not handle itself.
     *
     * @param what     what was asked, e.g. "the tag list of charts/app"
     * @param registry host[:port] for messages
     */
    static EngineException toException(Failure failure, String what, String registry, Credentials credentials) {
        String detail = failure.detail();
        int status = failure.status();
        if (status == 407) { // only a proxy the JVM's selector chose gets here; ours fail in ProxyRouting
            return new EngineException(
                    Reason.ProxyAuthenticationFailed,
                    "An HTTP proxy answered 407 Proxy Authentication Required for " + what
                            + ". Give the proxy's credentials (spec.proxySecretRef, or user:password@ in HTTPS_PROXY/HTTP_PROXY or --proxy).");
        }
        if (status == 401 || failure.hasCode("UNAUTHORIZED")) {
            return unauthorized(registry, what, credentials, detail);
        }
        if (status == 403 || failure.hasCode("DENIED")) {
            return new EngineException(
                    Reason.Forbidden,
                    "Registry " + registry + " denied access to " + what + " (" + detail + "); "
                            + credentials.describe()
                            + ". Grant the account pull access to the repository, or use an account that has it.");
        }
        if (status == 429 || failure.hasCode("TOOMANYREQUESTS")) {
            return new EngineException(
                    Reason.RateLimited,
                    "Registry " + registry + " throttled the requests for " + what + " (" + detail
                            + ") and kept doing so after retries. Wait and retry; authenticate to get a higher limit, or lengthen the interval.");
        }
        if (failure.hasCode("NAME_UNKNOWN")) {
            return new EngineException(
                    Reason.RepositoryNotFound,
                    "Registry " + registry + " does not know the repository of " + what + " (" + detail
                            + "). Check the host and path of the reference; the chart name is the last path segment.");
        }
        if (failure.hasCode("NAME_INVALID")) {
            return new EngineException(
                    Reason.InvalidReference,
                    "Registry " + registry + " rejects the repository name of " + what + " (" + detail
                            + "). Use a lower-case repository path.");
        }
        if (status >= 500) {
            return new EngineException(
                    Reason.RegistryUnavailable,
                    "Registry " + registry + " answered a server error for " + what + " (" + detail
                            + ") after retries. Check that the registry is healthy; the pull is retried.");
        }
        return new EngineException(
                Reason.RegistryUnavailable,
                "Registry " + registry + " answered " + detail + " for " + what
                        + ". Check the registry and the reference.");
    }

    static EngineException unauthorized(String registry, String what, Credentials credentials, String detail) {
        String remedy = credentials.isAnonymous()
                ? "Give a username/password or a Docker config.json with an entry for " + registry + "."
                : "Check the credentials for " + registry
                        + "; they are wrong, expired or not accepted by this registry.";
        return new EngineException(
                Reason.Unauthorized,
                "Registry " + registry + " refused " + what + " as unauthorized (" + detail + "); "
                        + credentials.describe() + ". " + remedy);
    }

    private static String shorten(String text) {
        String oneLine = text.replaceAll("\\s+", " ").trim();
        return oneLine.length() <= MAX_MESSAGE ? oneLine : oneLine.substring(0, MAX_MESSAGE) + "...";
    }

    static String utf8(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
