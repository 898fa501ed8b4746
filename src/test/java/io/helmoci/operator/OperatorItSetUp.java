package io.helmoci.operator;

import io.helmoci.testbed.ChartFactory;
import io.helmoci.testbed.HelmCli;
import io.helmoci.testbed.KubeApiServerFixture;
import io.helmoci.testbed.OperatorProcess;
import java.nio.file.Path;
import java.util.Map;

/**
 * The set-up the operator ITs share: the shared kube-apiserver with the project's CRDs, the real helm
 * and a chart factory working under the IT's temporary directory, and {@link #startOperator()} for
 * the packaged operator with fast controller retries. Whatever must exist before the operator starts
 * (more CRDs, a timestamp authority) goes between {@link #prepare} and {@link #startOperator()}.
 */
record OperatorItSetUp(Path work, KubeApiServerFixture kube, HelmCli helm, ChartFactory charts) {
    /**
     * Controller retries after 0.5s, at most 3s apart (the shipped ones back off to minutes), so that a
     * check a test makes fail is tried again within the test.
     */
    static final Map<String, String> FAST_RETRIES = Map.of(
            "quarkus.operator-sdk.controllers.helm-oci-operator.retry.interval.initial", "500",
            "quarkus.operator-sdk.controllers.helm-oci-operator.retry.interval.max", "3000");

    static OperatorItSetUp prepare(Path work) {
        KubeApiServerFixture kube = KubeApiServerFixture.shared();
        kube.applyProjectCrds();
        HelmCli helm = new HelmCli(work.resolve("helm"));
        return new OperatorItSetUp(work, kube, helm, new ChartFactory(helm, work.resolve("charts")));
    }

    /** Starts the packaged operator on the shared kube-apiserver, with {@link #FAST_RETRIES}. */
    OperatorProcess startOperator() {
        return OperatorProcess.start(kube.kubeconfig(), work.resolve("operator"), FAST_RETRIES);
    }
}
