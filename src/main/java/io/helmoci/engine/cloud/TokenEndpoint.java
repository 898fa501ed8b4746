package io.helmoci.engine.cloud;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.helmoci.engine.EngineException;
import io.helmoci.engine.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import okhttp3.FormBody;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * The small OAuth2-style HTTP calls of the Azure and Google exchanges: a form POST or a GET that
 * answers JSON. Error bodies are reduced to the OAuth2 {@code error} code and description, which
 * never echo the token sent; responses are never logged.
 */
final class TokenEndpoint {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_RESPONSE = 64 * 1024;

    /** A non-2xx answer: its status and the OAuth2 error fields (either may be empty). */
    record Refusal(int status, String error, String description) {
        String summary() {
            String text = error.isEmpty() ? "HTTP " + status : "HTTP " + status + " " + error;
            return description.isEmpty() ? text : text + ": " + truncate(description);
        }
    }

    /** Thrown for a non-2xx answer; the exchange turns it into the right {@link Reason}. */
    static final class RefusedException extends RuntimeException {
        final Refusal refusal;

        RefusedException(Refusal refusal) {
            super(refusal.summary(), null, false, false);
            this.refusal = refusal;
        }
    }

    private final OkHttpClient http;
    private final CloudHttp route;

    TokenEndpoint(CloudHttp route) {
        this.http = route.client();
        this.route = route;
    }

    JsonNode post(HttpUrl url, Map<String, String> form, String what) {
        FormBody.Builder body = new FormBody.Builder();
        form.forEach(body::add);
        return call(new Request.Builder().url(url).post(body.build()).build(), what);
    }

    JsonNode get(HttpUrl url, Map<String, String> headers, String what) {
        Request.Builder request = new Request.Builder().url(url).get();
        headers.forEach(request::header);
        return call(request.build(), what);
    }

    private JsonNode call(Request request, String what) {
        String where =
                what + " at " + request.url().host() + ":" + request.url().port();
        try (Response response = http.newCall(request).execute();
                InputStream in = response.body().byteStream()) {
            byte[] bytes = in.readNBytes(MAX_RESPONSE + 1);
            if (bytes.length > MAX_RESPONSE) {
                throw new EngineException(Reason.CloudIdentityUnavailable, where + " answered more than 64 KiB.");
            }
            JsonNode body = parse(bytes);
            if (!response.isSuccessful()) {
                throw new RefusedException(new Refusal(
                        response.code(),
                        text(body, "error"),
                        text(body, "error_description").isEmpty()
                                ? text(body.path("error"), "message")
                                : text(body, "error_description")));
            }
            if (body == null || !body.isObject()) {
                throw new EngineException(
                        Reason.CloudIdentityUnavailable,
                        where + " answered HTTP " + response.code() + " without JSON.");
            }
            return body;
        } catch (IOException e) {
            java.util.Optional<EngineException> proxyFailure =
                    route.proxyFailure(e, request.url().uri(), what);
            if (proxyFailure.isPresent()) {
                throw proxyFailure.get();
            }
            throw new EngineException(
                    Reason.CloudIdentityUnavailable,
                    "Could not reach " + where + ": " + e.getClass().getSimpleName()
                            + (e.getMessage() == null ? "" : " " + e.getMessage())
                            + ". Check the network path to it; retried with backoff.",
                    e);
        }
    }

    private static JsonNode parse(byte[] bytes) {
        try {
            return bytes.length == 0 ? null : JSON.readTree(bytes);
        } catch (IOException e) {
            return null;
        }
    }

    static String text(JsonNode node, String field) {
        if (node == null) {
            return "";
        }
        JsonNode value = node.get(field);
        return value == null || !value.isValueNode() ? "" : value.asText();
    }

    static String requireText(JsonNode body, String field, String what) {
        String value = text(body, field);
        if (value.isEmpty()) {
            throw new EngineException(
                    Reason.CloudIdentityUnavailable, what + " answered without " + field + ": an unexpected answer.");
        }
        return value;
    }

    /** now + expires_in, or {@code fallback} when the answer has none. */
    static Instant expiry(JsonNode body, Clock clock, Instant fallback) {
        long seconds = body.path("expires_in").asLong(0);
        return seconds > 0 ? clock.instant().plusSeconds(seconds) : fallback;
    }

    /** The {@code exp} claim of a JWT, without verifying it (only to know when to renew); null when not a JWT. */
    static Instant jwtExpiry(String token) {
        String[] parts = token.split("\\.");
        if (parts.length != 3) {
            return null;
        }
        try {
            JsonNode claims = JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
            long exp = claims.path("exp").asLong(0);
            return exp > 0 ? Instant.ofEpochSecond(exp) : null;
        } catch (IOException | IllegalArgumentException e) {
            return null;
        }
    }

    private static String truncate(String text) {
        String oneLine = text.replaceAll("\\s+", " ");
        return oneLine.length() <= 300 ? oneLine : oneLine.substring(0, 300) + "...";
    }
}
