package io.helmoci.operator.flux;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.helmoci.operator.ConditionReasons;
import io.helmoci.operator.Constants;
import io.helmoci.operator.ReconcileException;
import io.helmoci.operator.ReconcileException.Disposition;
import io.helmoci.operator.api.v1alpha1.HelmOciChart;
import io.helmoci.operator.api.v1alpha1.HelmOciChartStatus;
import io.helmoci.operator.reconciler.ExternalArtifactPublisher;
import java.net.HttpURLConnection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Maintains the Flux ExternalArtifact of each HelmOciChart that asks for one ({@link
 * ExternalArtifacts#wanted}) while the CRD is installed: read first, and server-side applied (the
 * object, then its status subresource) only when it differs, so an unchanged chart costs one GET
 * per reconcile. An ExternalArtifact of that name that another owner controls is left alone and the
 * HelmOciChart reports {@code ExternalArtifactFailed}. When the resource stops asking for one, or is
 * deleted, the operator deletes the one it owns itself, not relying on a garbage collector.
 */
public class FluxExternalArtifacts implements ExternalArtifactPublisher {
    private static final Logger LOG = Logger.getLogger(FluxExternalArtifacts.class);
    private static final PatchContext APPLY = new PatchContext.Builder()
            .withPatchType(PatchType.SERVER_SIDE_APPLY)
            .withFieldManager(Constants.FIELD_MANAGER)
            .withForce(true)
            .build();

    private final KubernetesClient client;
    private final ExternalArtifactCrd crd;
    private final boolean forAll;
    /** uid -> generation of the HelmOciCharts not asking for one whose leftover was already looked for. */
    private final Map<String, Long> lookedForLeftover = new ConcurrentHashMap<>();

    /** @param forAll the operator setting helmoci.external-artifacts.all */
    public FluxExternalArtifacts(KubernetesClient client, ExternalArtifactCrd crd, boolean forAll) {
        this.client = client;
        this.crd = crd;
        this.forAll = forAll;
    }

    @Override
    public void reflect(HelmOciChart resource, HelmOciChartStatus status) {
        boolean wanted = ExternalArtifacts.wanted(resource, forAll);
        boolean installed;
        try {
            installed = crd.installed();
        } catch (KubernetesClientException e) { // discovery failed: only those asking for one wait for it
            if (!wanted) {
                return;
            }
            throw failure(resource, e);
        }
        if (!installed) {
            if (wanted && Boolean.TRUE.equals(resource.getSpec().getExternalArtifact())) {
                LOG.debugf(
                        "%s asks for an ExternalArtifact, but Flux's ExternalArtifact CRD is not installed",
                        id(resource));
            }
            return;
        }
        if (!wanted && alreadyLookedForLeftover(resource)) {
            return; // one that is not wanted can only be left from an earlier generation or operator setting
        }
        try {
            GenericKubernetesResource existing = get(resource);
            if (!wanted) {
                lookedForLeftover.put(resource.getMetadata().getUid(), generation(resource));
                if (existing != null && ExternalArtifacts.ownedBy(existing, resource)) {
                    delete(resource, "spec.externalArtifact is false");
                }
                return;
            }
            lookedForLeftover.remove(resource.getMetadata().getUid());
            if (existing != null && !ExternalArtifacts.ownedBy(existing, resource)) {
                throw new ReconcileException(
                        ConditionReasons.EXTERNAL_ARTIFACT_FAILED,
                        "ExternalArtifact " + id(resource) + " exists and is not owned by this HelmOciChart: delete"
                                + " it, give the HelmOciChart another name, or set spec.externalArtifact to false.",
                        Disposition.WAIT);
            }
            GenericKubernetesResource object = ExternalArtifacts.desiredObject(resource);
            GenericKubernetesResource fluxStatus = ExternalArtifacts.desiredStatus(resource, status);
            if (existing != null && ExternalArtifacts.upToDate(existing, object, fluxStatus)) {
                return;
            }
            artifacts(resource).resource(object).patch(APPLY);
            artifacts(resource).resource(fluxStatus).subresource("status").patch(APPLY);
            LOG.debugf("Applied ExternalArtifact %s", id(resource));
        } catch (KubernetesClientException e) {
            if (e.getCode() == HttpURLConnection.HTTP_NOT_FOUND) {
                crd.forget(); // the CRD went away between discovery and now
            }
            if (!wanted && e.getCode() == HttpURLConnection.HTTP_FORBIDDEN) {
                // not asked for, and not granted: nothing of ours can exist; not asked again for this generation
                lookedForLeftover.put(resource.getMetadata().getUid(), generation(resource));
                return;
            }
            throw failure(resource, e);
        }
    }

    @Override
    public void remove(HelmOciChart resource) {
        lookedForLeftover.remove(resource.getMetadata().getUid());
        try {
            if (!crd.installed()) {
                return;
            }
            GenericKubernetesResource existing = get(resource);
            if (existing != null && ExternalArtifacts.ownedBy(existing, resource)) {
                delete(resource, "the HelmOciChart was deleted");
            }
        } catch (KubernetesClientException e) {
            if (e.getCode() == HttpURLConnection.HTTP_FORBIDDEN && !ExternalArtifacts.wanted(resource, forAll)) {
                return; // never asked for and not granted: none of ours can exist
            }
            // The owner reference lets a garbage collector finish the job; the delete must not hang on this.
            LOG.warnf("Could not delete ExternalArtifact %s: %s", id(resource), e.getMessage());
        }
    }

    private boolean alreadyLookedForLeftover(HelmOciChart resource) {
        Long looked = lookedForLeftover.get(resource.getMetadata().getUid());
        return looked != null && looked == generation(resource);
    }

    private static long generation(HelmOciChart resource) {
        Long generation = resource.getMetadata().getGeneration();
        return generation == null ? 0 : generation;
    }

    private GenericKubernetesResource get(HelmOciChart resource) {
        return artifacts(resource).withName(resource.getMetadata().getName()).get();
    }

    private void delete(HelmOciChart resource, String why) {
        artifacts(resource).withName(resource.getMetadata().getName()).delete();
        LOG.infof("Deleted ExternalArtifact %s: %s", id(resource), why);
    }

    private NonNamespaceOperation<
                    GenericKubernetesResource, GenericKubernetesResourceList, Resource<GenericKubernetesResource>>
            artifacts(HelmOciChart resource) {
        return client.genericKubernetesResources(ExternalArtifacts.API_VERSION, ExternalArtifacts.KIND)
                .inNamespace(resource.getMetadata().getNamespace());
    }

    private static ReconcileException failure(HelmOciChart resource, KubernetesClientException e) {
        String hint = e.getCode() == HttpURLConnection.HTTP_FORBIDDEN
                ? ": the operator may not write ExternalArtifacts; install the chart with"
                        + " fluxExternalArtifacts.enabled=true (or apply deploy/optional/flux-externalartifacts-rbac.yaml)"
                : ": the operator retries; check the API server and the ExternalArtifact CRD";
        return new ReconcileException(
                ConditionReasons.EXTERNAL_ARTIFACT_FAILED,
                "Could not update ExternalArtifact " + id(resource) + " (HTTP " + e.getCode() + ")" + hint + ".",
                Disposition.RETRY,
                e);
    }

    private static String id(HelmOciChart resource) {
        return resource.getMetadata().getNamespace() + "/"
                + resource.getMetadata().getName();
    }
}
