package io.helmoci.operator;

import io.helmoci.testbed.HelmMajor;

/** {@link OperatorInCluster}, every helm step with Helm 3. */
class OperatorInClusterHelm3E2E extends OperatorInCluster {
    OperatorInClusterHelm3E2E() {
        super(HelmMajor.HELM_3);
    }
}
