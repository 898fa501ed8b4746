package io.helmoci.operator.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * GitHub's {@code package} and {@code registry_package} events
 * (https://docs.github.com/en/webhooks/webhook-events-and-payloads#package), signed with the
 * webhook's secret in {@code X-Hub-Signature-256}
 * (https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries). A published
 * container package names itself in {@code package_version.package_url} ({@code ghcr.io/owner/name:tag});
 * without it, {@code ghcr.io/<owner>/<name>}. Other events (ping) and other package types announce nothing.
 */
final class GitHubSender implements Sender {
    static final String REGISTRY = "ghcr.io";

    @Override
    public boolean authenticated(WebhookRequest request, byte[] token) {
        return Tokens.isHmacSha256(request.header("X-Hub-Signature-256"), request.body(), token);
    }

    @Override
    public List<PushEvent> pushes(WebhookRequest request) {
        String event = request.header("X-GitHub-Event");
        JsonNode body = request.json();
        String field = switch (event == null ? "" : event) {
            case "package" -> "package";
            case "registry_package" -> "registry_package";
            default -> null;
        };
        if (field == null || !"published".equals(body.path("action").asText())) {
            return List.of();
        }
        JsonNode pkg = body.path(field);
        if (!pkg.isObject()) {
            throw new MalformedEventException(field + " is missing");
        }
        String type = pkg.path("package_type").asText("").toLowerCase(java.util.Locale.ROOT);
        if (!type.isEmpty() && !type.equals("container") && !type.equals("docker")) {
            return List.of();
        }
        JsonNode version = pkg.path("package_version");
        JsonNode tag = version.path("container_metadata").path("tag");
        String tagName = WebhookRequest.optional(tag, "name");
        String digest = WebhookRequest.optional(tag, "digest");
        String url = WebhookRequest.optional(version, "package_url");
        if (url != null && url.contains("/")) {
            return List.of(PushEvent.fromImageReference(url, tagName, digest));
        }
        String owner = WebhookRequest.required(pkg.path("owner"), "login", field + ".owner");
        String name = WebhookRequest.required(pkg, "name", field);
        return List.of(new PushEvent(REGISTRY, owner + "/" + name, tagName, digest));
    }
}
