package io.helmoci.operator;

import io.helmoci.testbed.HelmMajor;

/** {@link OperatorInCluster}, every helm step with Helm 4. */
class OperatorInClusterHelm4E2E extends OperatorInCluster {
    OperatorInClusterHelm4E2E() {
        super(HelmMajor.HELM_4);
    }
}
