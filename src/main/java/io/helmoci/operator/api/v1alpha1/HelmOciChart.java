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

/** A Helm chart in an OCI registry that the operator resolves, pulls, verifies and serves. */
@Group(Constants.GROUP)
@Version(Constants.VERSION)
@Kind(Constants.KIND)
@Plural(Constants.PLURAL)
@ShortNames(Constants.SHORT_NAME)
@AdditionalPrinterColumn(name = "URL", jsonPath = ".spec.url", type = Type.STRING)
@AdditionalPrinterColumn(name = "Version", jsonPath = ".status.resolvedVersion", type = Type.STRING)
@AdditionalPrinterColumn(name = "Digest", jsonPath = ".status.shortDigest", type = Type.STRING)
@AdditionalPrinterColumn(
        name = "Ready",
        jsonPath = ".status.conditions[?(@.type==\"Ready\")].status",
        type = Type.STRING)
@AdditionalPrinterColumn(
        name = "Status",
        jsonPath = ".status.conditions[?(@.type==\"Ready\")].message",
        type = Type.STRING)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = Type.DATE)
public class HelmOciChart extends CustomResource<HelmOciChartSpec, HelmOciChartStatus> implements Namespaced {}
