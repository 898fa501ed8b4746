package io.helmoci.operator.events;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.helmoci.operator.Constants;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import org.jboss.logging.Logger;

/** Writes core/v1 Events. An event that cannot be written is logged, never fails a reconciliation. */
public final class KubernetesEventRecorder implements EventRecorder {
    private static final Logger LOG = Logger.getLogger(KubernetesEventRecorder.class);
    private static final int MAX_MESSAGE = 1024;

    private final KubernetesClient client;
    private final String instance;

    public KubernetesEventRecorder(KubernetesClient client) {
        this.client = client;
        this.instance = Optional.ofNullable(System.getenv("HOSTNAME")).orElse(Constants.EVENT_SOURCE);
    }

    @Override
    public void normal(HasMetadata resource, String reason, String message) {
        record(resource, "Normal", reason, message);
    }

    @Override
    public void warning(HasMetadata resource, String reason, String message) {
        record(resource, "Warning", reason, message);
    }

    private void record(HasMetadata resource, String type, String reason, String message) {
        Instant now = Instant.now();
        String timestamp = now.truncatedTo(ChronoUnit.SECONDS).toString();
        String text = message.length() > MAX_MESSAGE ? message.substring(0, MAX_MESSAGE - 1) + "…" : message;
        var event = new EventBuilder()
                .withNewMetadata()
                .withName(resource.getMetadata().getName() + "." + Long.toHexString(System.nanoTime())
                        + Long.toHexString(now.toEpochMilli()))
                .withNamespace(resource.getMetadata().getNamespace())
                .endMetadata()
                .withNewInvolvedObject()
                .withApiVersion(resource.getApiVersion())
                .withKind(resource.getKind())
                .withName(resource.getMetadata().getName())
                .withNamespace(resource.getMetadata().getNamespace())
                .withUid(resource.getMetadata().getUid())
                .withResourceVersion(resource.getMetadata().getResourceVersion())
                .endInvolvedObject()
                .withType(type)
                .withReason(reason)
                .withMessage(text)
                .withFirstTimestamp(timestamp)
                .withLastTimestamp(timestamp)
                .withCount(1)
                .withNewSource()
                .withComponent(Constants.EVENT_SOURCE)
                .endSource()
                .withReportingComponent(Constants.EVENT_SOURCE)
                .withReportingInstance(instance)
                .build();
        try {
            client.v1()
                    .events()
                    .inNamespace(resource.getMetadata().getNamespace())
                    .resource(event)
                    .create();
        } catch (KubernetesClientException e) {
            LOG.warnf(
                    "Could not record event %s for %s/%s: %s",
                    reason,
                    resource.getMetadata().getNamespace(),
                    resource.getMetadata().getName(),
                    e.getMessage());
        }
    }
}
