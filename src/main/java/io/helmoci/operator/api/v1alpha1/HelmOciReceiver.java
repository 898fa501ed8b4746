package io.helmoci.operator.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn.Type;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;
import io.helmoci.operator.Constants;

/**
 * A registry webhook (modelled on Flux's Receiver): push events of one sender type, authenticated
 * with the token of a Secret, make the matching HelmOciCharts of the receiver's namespace check
 * their registry at once. The operator publishes the URL path on the status.
 */
@Group(Constants.GROUP)
@Version(Constants.VERSION)
@Kind(Constants.RECEIVER_KIND)
@Plural(Constants.RECEIVER_PLURAL)
@ShortNames(Constants.RECEIVER_SHORT_NAME)
@AdditionalPrinterColumn(name = "Type", jsonPath = ".spec.type", type = Type.STRING)
@AdditionalPrinterColumn(name = "Path", jsonPath = ".status.webhookPath", type = Type.STRING)
@AdditionalPrinterColumn(
        name = "Ready",
        jsonPath = ".status.conditions[?(@.type==\"Ready\")].status",
        type = Type.STRING)
@AdditionalPrinterColumn(
        name = "Status",
        jsonPath = ".status.conditions[?(@.type==\"Ready\")].message",
        type = Type.STRING)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = Type.DATE)
public class HelmOciReceiver extends CustomResource<HelmOciReceiverSpec, HelmOciReceiverStatus> implements Namespaced {}
