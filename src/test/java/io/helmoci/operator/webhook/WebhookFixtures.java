package io.helmoci.operator.webhook;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The documented deliveries of src/test/resources/webhooks (see its README for the page each one
 * follows), with the headers a sender that knows the token sends, and ones that do not prove it.
 */
public final class WebhookFixtures {
    /** Every sender type with the registry and repository its fixture announces. */
    public static final Map<String, PushEvent> EXPECTED = expected();

    /** The types whose deliveries carry proof of the token; the others rely on the secret path alone. */
    public static final List<String> AUTHENTICATING =
            List.of("distribution", "harbor", "github", "acr", "generic-hmac", "cdevents");

    private WebhookFixtures() {}

    private static Map<String, PushEvent> expected() {
        Map<String, PushEvent> expected = new LinkedHashMap<>();
        expected.put(
                "distribution",
                new PushEvent(
                        "registry.example.test:5000",
                        "charts/app",
                        "1.2.3",
                        "sha256:0d2e4f9c9a2f3e2d1c0b9a8f7e6d5c4b3a29180716253443526170819a0b1c2d"));
        expected.put(
                "harbor",
                new PushEvent(
                        "harbor.example.test",
                        "library/app",
                        "1.2.3",
                        "sha256:954b378c375d852eb3c63ab88978f640b4348b01c1b3456a024a81536dafbbf4"));
        expected.put(
                "github",
                new PushEvent(
                        "ghcr.io",
                        "octo-org/app",
                        "1.2.3",
                        "sha256:3da5d1a3c8c8e8f3b0d5a6d1f6bfc1ee4d4d6b5b1a1d6f3e1c4b2a7d8e9f0a1b"));
        expected.put("dockerhub", new PushEvent("docker.io", "svendowideit/testhook", "1.2.3", null));
        expected.put("quay", new PushEvent("quay.io", "mynamespace/repository", "1.2.3", null));
        expected.put(
                "acr",
                new PushEvent(
                        "myregistry.azurecr.io",
                        "charts/app",
                        "1.2.3",
                        "sha256:80f0d5c8786bb9e621a45ece0db56d11cdc624ad20da9fe62e9d25490f331d7d"));
        expected.put(
                "gar",
                new PushEvent(
                        "us-east1-docker.pkg.dev",
                        "my-project/my-repo/app",
                        "1.2.3",
                        "sha256:6ec128e26cd5b8bb6b4bd4bcb7b5a5b1fee2c4e8ed1a7ad6a4e5b8b4c4c1b6a2"));
        expected.put(
                "generic-hmac",
                new PushEvent(
                        "registry.example.test:5000",
                        "charts/app",
                        "1.2.3",
                        "sha256:0d2e4f9c9a2f3e2d1c0b9a8f7e6d5c4b3a29180716253443526170819a0b1c2d"));
        expected.put(
                "cdevents",
                new PushEvent(
                        "registry.example.test:5000",
                        "charts/app",
                        "1.2.3",
                        "sha256:0b31b1c02ff458ad9b7b81cbdf8f028bd54699fa151f221d1e8de6817db93427"));
        return Map.copyOf(expected);
    }

    /** The fixture's body. */
    public static byte[] body(String type) {
        try (InputStream in = WebhookFixtures.class.getResourceAsStream("/webhooks/" + type + ".json")) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture for " + type);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The headers a sender configured with {@code token} sends with {@code body}. */
    public static Map<String, String> validHeaders(String type, byte[] body, String token) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("content-type", "application/json");
        switch (type) {
            case "distribution", "acr", "cdevents" -> headers.put("authorization", "Bearer " + token);
            case "harbor" -> headers.put("authorization", token);
            case "github" -> {
                headers.put("x-github-event", "package");
                headers.put("x-hub-signature-256", "sha256=" + hmac(token, body));
            }
            case "generic-hmac" -> headers.put("x-signature", "sha256=" + hmac(token, body));
            default -> {} // dockerhub, quay, gar: the secret path only
        }
        return headers;
    }

    /** Headers that prove another token (a forged delivery): a wrong bearer token or a signature with another key. */
    public static Map<String, String> forgedHeaders(String type, byte[] body) {
        return validHeaders(type, body, "not-the-token");
    }

    /** The valid headers without the proof (no Authorization, no signature header). */
    public static Map<String, String> headersWithoutToken(String type, byte[] body, String token) {
        Map<String, String> headers = new LinkedHashMap<>(validHeaders(type, body, token));
        headers.remove("authorization");
        headers.remove("x-hub-signature-256");
        headers.remove("x-signature");
        return headers;
    }

    public static String hmac(String token, byte[] body) {
        return HexFormat.of().formatHex(Tokens.hmacSha256(token.getBytes(StandardCharsets.UTF_8), body));
    }
}
