package io.helmoci.operator.api;

import io.fabric8.crdv2.generator.CRDPostProcessor;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import java.util.Comparator;
import java.util.List;

/**
 * Build-time only (quarkus.operator-sdk.crd.post-processor): the fabric8 generator sorts
 * printer columns by JSON path, which would put Age first; kubectl shows them in CRD order.
 */
public class CrdPostProcessor implements CRDPostProcessor {
    static final List<String> COLUMN_ORDER =
            List.of("URL", "Version", "Digest", "Type", "Path", "Ready", "Status", "Age");

    @Override
    public HasMetadata process(HasMetadata crd, String crdSpecVersion) {
        if (crd instanceof CustomResourceDefinition definition) {
            definition.getSpec().getVersions().forEach(version -> {
                if (version.getAdditionalPrinterColumns() != null) {
                    version.getAdditionalPrinterColumns().sort(Comparator.comparingInt(CrdPostProcessor::rank));
                }
            });
        }
        return crd;
    }

    private static int rank(CustomResourceColumnDefinition column) {
        int index = COLUMN_ORDER.indexOf(column.getName());
        return index < 0 ? COLUMN_ORDER.size() : index;
    }
}
