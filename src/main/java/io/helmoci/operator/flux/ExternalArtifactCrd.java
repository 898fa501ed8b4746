package io.helmoci.operator.flux;

import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.jboss.logging.Logger;

/**
 * Whether Flux's ExternalArtifact CRD is installed, from the API server's discovery (which every
 * authenticated client may read: no CRD read permission needed). A positive answer is kept until
 * {@link #forget()} (an apply that finds no such resource); a negative one is asked again after the
 * check interval, so installing Flux later needs no operator restart.
 */
public class ExternalArtifactCrd {
    private static final Logger LOG = Logger.getLogger(ExternalArtifactCrd.class);

    private final KubernetesClient client;
    private final Duration checkInterval;
    private final Clock clock;
    private volatile Boolean installed;
    private volatile Instant checkedAt = Instant.MIN;

    public ExternalArtifactCrd(KubernetesClient client, Duration checkInterval, Clock clock) {
        this.client = client;
        this.checkInterval = checkInterval;
        this.clock = clock;
    }

    public boolean installed() {
        Boolean known = installed;
        if (Boolean.TRUE.equals(known) || (known != null && clock.instant().isBefore(checkedAt.plus(checkInterval)))) {
            return known;
        }
        synchronized (this) {
            boolean now = discover();
            if (!Boolean.valueOf(now).equals(installed)) {
                LOG.infof(
                        now
                                ? "Flux's ExternalArtifact CRD (%s) is installed: publishing ExternalArtifacts for the HelmOciCharts that ask for them"
                                : "Flux's ExternalArtifact CRD (%s) is not installed: no ExternalArtifacts are published (checked again every "
                                        + checkInterval.toSeconds() + " s)",
                        ExternalArtifacts.PLURAL + "." + ExternalArtifacts.GROUP);
            }
            installed = now;
            checkedAt = clock.instant();
            return now;
        }
    }

    /** The API server said the resource does not exist (CRD deleted): ask discovery again next time. */
    public void forget() {
        installed = false;
        checkedAt = Instant.MIN;
    }

    private boolean discover() {
        try {
            APIResourceList resources = client.getApiResources(ExternalArtifacts.API_VERSION);
            return resources != null
                    && resources.getResources() != null
                    && resources.getResources().stream()
                            .anyMatch(r -> ExternalArtifacts.KIND.equals(r.getKind())
                                    && ExternalArtifacts.PLURAL.equals(r.getName()));
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                return false;
            }
            throw e;
        }
    }
}
