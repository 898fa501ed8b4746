package io.helmoci.operator.webhook;

import java.util.List;

/**
 * One registry's webhook: how its deliveries prove they know the receiver's token, and which
 * pushes they announce. Senders that cannot sign or set a header (Docker Hub, Quay, Pub/Sub push)
 * are authenticated by the webhook path alone, which is derived from the token.
 */
public interface Sender {
    /** Whether {@code request} proves it knows {@code token} (header or signature); checked in constant time. */
    boolean authenticated(WebhookRequest request, byte[] token);

    /**
     * The pushes the delivery announces; empty for deliveries that announce none (a ping, a pull, a
     * deletion). Throws {@link MalformedEventException} when the body is not this sender's event.
     */
    List<PushEvent> pushes(WebhookRequest request);

    /** The sender of a HelmOciReceiver's {@code spec.type}. */
    static Sender of(String type) {
        return switch (type == null ? "" : type) {
            case "distribution" -> new DistributionSender();
            case "harbor" -> new HarborSender();
            case "github" -> new GitHubSender();
            case "dockerhub" -> new DockerHubSender();
            case "quay" -> new QuaySender();
            case "acr" -> new AcrSender();
            case "gar" -> new GoogleArtifactRegistrySender();
            case "generic-hmac" -> new GenericHmacSender();
            case "cdevents" -> new CdEventsSender();
            default -> throw new IllegalArgumentException("unknown receiver type '" + type + "'");
        };
    }
}
