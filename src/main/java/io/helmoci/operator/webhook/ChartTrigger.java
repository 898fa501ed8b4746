package io.helmoci.operator.webhook;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.helmoci.operator.Constants;
import io.helmoci.operator.api.v1alpha1.HelmOciChart;
import java.time.Clock;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Asks the HelmOciCharts of a receiver's namespace that match its selector and name the pushed
 * repository to check their registry now, by setting their {@value Constants#REQUESTED_AT_ANNOTATION}
 * annotation (as Flux's notification-controller sets reconcile.fluxcd.io/requestedAt): whichever
 * replica leads (and whichever shard owns a chart) reconciles it through its informer, with the
 * usual fairness limits and registry budget. Nothing else of the event is passed on.
 */
public final class ChartTrigger {
    private static final Logger LOG = Logger.getLogger(ChartTrigger.class);

    private final KubernetesClient client;
    private final Clock clock;

    public ChartTrigger(KubernetesClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
    }

    /** @return the names of the charts asked to check */
    public List<String> trigger(String namespace, LabelSelector selector, PushEvent push) {
        var inNamespace = client.resources(HelmOciChart.class).inNamespace(namespace);
        List<HelmOciChart> charts = (selector == null ? inNamespace : inNamespace.withLabelSelector(selector))
                .list()
                .getItems();
        List<String> matching = charts.stream()
                .filter(chart -> chart.getSpec() != null
                        && RepositoryAddress.ofChartUrl(chart.getSpec().getUrl())
                                .filter(address -> address.matches(push))
                                .isPresent())
                .map(chart -> chart.getMetadata().getName())
                .toList();
        String patch = "{\"metadata\":{\"annotations\":{\"" + Constants.REQUESTED_AT_ANNOTATION + "\":\""
                + clock.instant() + "\"}}}";
        for (String name : matching) {
            try {
                inNamespace.withName(name).patch(PatchContext.of(PatchType.JSON_MERGE), patch);
            } catch (KubernetesClientException e) {
                LOG.warnf(
                        "Could not ask HelmOciChart %s/%s to check %s/%s now (HTTP %d): it checks at its interval",
                        namespace, name, push.registry(), push.repository(), e.getCode());
            }
        }
        return matching;
    }
}
