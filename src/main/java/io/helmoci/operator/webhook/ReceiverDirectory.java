package io.helmoci.operator.webhook;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.helmoci.operator.Constants;
import io.helmoci.operator.api.v1alpha1.HelmOciReceiver;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Which HelmOciReceiver a webhook path belongs to, on every replica (leader or not): an informer of
 * the receivers indexed by {@code status.webhookPath}, and their tokens read from their Secrets, kept
 * a few seconds so that a flood of requests costs the API server one read per Secret per few seconds.
 */
public final class ReceiverDirectory implements AutoCloseable {
    /** How long a Secret read (or its absence) is reused. */
    static final Duration SECRET_TTL = Duration.ofSeconds(5);

    private static final Logger LOG = Logger.getLogger(ReceiverDirectory.class);
    private static final String PATH_INDEX = "webhookPath";

    private record CachedToken(Optional<String> token, Instant readAt) {}

    private final KubernetesClient client;
    private final Clock clock;
    private final Map<String, CachedToken> tokens = new ConcurrentHashMap<>();
    private SharedIndexInformer<HelmOciReceiver> receivers;

    public ReceiverDirectory(KubernetesClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
    }

    /** Starts watching receivers; returns at once (a missing CRD is logged and retried by the informer). */
    public synchronized void start() {
        receivers = client.resources(HelmOciReceiver.class).inAnyNamespace().runnableInformer(0);
        receivers.addIndexers(Map.of(
                PATH_INDEX,
                receiver -> receiver.getStatus() == null || receiver.getStatus().getWebhookPath() == null
                        ? List.of()
                        : List.of(receiver.getStatus().getWebhookPath())));
        receivers.start().whenComplete((ignored, failure) -> {
            if (failure != null) {
                LOG.warnf(
                        "Cannot watch HelmOciReceivers (%s): webhooks answer 404 until it works. Apply deploy/crds"
                                + " (the HelmOciReceiver CRD) and grant the operator list/watch on helmocireceivers.",
                        failure.getMessage());
            }
        });
    }

    /**
     * The receiver whose webhook path this is and its token, when the path is the one its current token gives: a
     * rotated token invalidates the old path and makes the new one work within {@link #SECRET_TTL}, before the
     * status shows it. The status index finds a receiver at once; a path it does not know (a new token) is looked
     * for among all receivers, their tokens read at most once per {@link #SECRET_TTL}.
     */
    public Optional<Receiving> find(String path) {
        SharedIndexInformer<HelmOciReceiver> informer;
        synchronized (this) {
            informer = receivers;
        }
        if (informer == null) {
            return Optional.empty();
        }
        Optional<Receiving> published = matching(informer.getIndexer().byIndex(PATH_INDEX, path), path);
        return published.isPresent() ? published : matching(informer.getStore().list(), path);
    }

    private Optional<Receiving> matching(List<HelmOciReceiver> candidates, String path) {
        for (HelmOciReceiver receiver : candidates) {
            if (receiver.getSpec() == null || receiver.getSpec().getSecretRef() == null) {
                continue;
            }
            String namespace = receiver.getMetadata().getNamespace();
            String name = receiver.getMetadata().getName();
            Optional<String> token =
                    token(namespace, receiver.getSpec().getSecretRef().getName());
            if (token.isPresent()
                    && WebhookPath.of(token.get(), name, namespace).equals(path)) {
                return Optional.of(new Receiving(receiver, token.get().getBytes(StandardCharsets.UTF_8)));
            }
        }
        return Optional.empty();
    }

    /** A receiver found by its path, and the token its events must prove. */
    public record Receiving(HelmOciReceiver receiver, byte[] token) {}

    private Optional<String> token(String namespace, String secretName) {
        String key = namespace + "/" + secretName;
        Instant now = clock.instant();
        CachedToken cached = tokens.get(key);
        if (cached != null && now.isBefore(cached.readAt().plus(SECRET_TTL))) {
            return cached.token();
        }
        Optional<String> token = readToken(
                client.secrets().inNamespace(namespace).withName(secretName).get());
        tokens.put(key, new CachedToken(token, now));
        return token;
    }

    /** The Secret's {@value Constants#RECEIVER_TOKEN_KEY}, when it has a non-blank one. */
    public static Optional<String> readToken(Secret secret) {
        if (secret == null) {
            return Optional.empty();
        }
        String value = null;
        if (secret.getData() != null && secret.getData().get(Constants.RECEIVER_TOKEN_KEY) != null) {
            try {
                value = new String(
                        Base64.getDecoder().decode(secret.getData().get(Constants.RECEIVER_TOKEN_KEY)),
                        StandardCharsets.UTF_8);
            } catch (IllegalArgumentException notBase64) {
                return Optional.empty();
            }
        } else if (secret.getStringData() != null) {
            value = secret.getStringData().get(Constants.RECEIVER_TOKEN_KEY);
        }
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
    }

    @Override
    public synchronized void close() {
        if (receivers != null) {
            receivers.close();
        }
    }
}
