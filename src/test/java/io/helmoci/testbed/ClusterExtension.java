package io.helmoci.testbed;

import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.opentest4j.TestAbortedException;

/**
 * The JVM's shared real {@link ClusterFixture}, a fresh namespace for the test class, and the last
 * lines of every cluster component's log attached to whatever fails:
 *
 * <pre>
 * &#64;RegisterExtension
 * static final ClusterExtension cluster = new ClusterExtension();
 * ... cluster.client().apps().deployments().inNamespace(cluster.namespace()) ...
 * </pre>
 */
public final class ClusterExtension implements BeforeAllCallback, AttachesLogOnFailure {
    private String namespace;

    public ClusterFixture cluster() {
        return ClusterFixture.shared();
    }

    /** The shared cluster-admin client; do not close it. */
    public KubernetesClient client() {
        return cluster().client();
    }

    /** This test class's own namespace, created before its {@code @BeforeAll} methods run. */
    public String namespace() {
        if (namespace == null) {
            throw new IllegalStateException("no namespace yet: register ClusterExtension on a static field");
        }
        return namespace;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        if (namespace == null) { // @Nested classes share their outer class's namespace
            namespace = cluster().createNamespace(context.getRequiredTestClass().getSimpleName());
        }
    }

    @Override
    public Throwable attachLog(Throwable failure) {
        if (!(failure instanceof TestAbortedException)) {
            try {
                failure.addSuppressed(cluster().logsAsThrowable());
            } catch (RuntimeException e) { // the cluster itself did not start: its failure says why
                failure.addSuppressed(e);
            }
        }
        return failure;
    }
}
