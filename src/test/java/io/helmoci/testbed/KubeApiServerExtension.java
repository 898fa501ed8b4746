package io.helmoci.testbed;

import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.opentest4j.TestAbortedException;

/**
 * The JVM's shared {@link KubeApiServerFixture}, a fresh namespace for the test class, and the API
 * server's recent log attached to whatever fails:
 *
 * <pre>
 * &#64;RegisterExtension
 * static final KubeApiServerExtension kube = new KubeApiServerExtension();
 * ... kube.client().pods().inNamespace(kube.namespace()) ...
 * </pre>
 */
public final class KubeApiServerExtension implements BeforeAllCallback, AttachesLogOnFailure {
    private String namespace;

    public KubeApiServerFixture server() {
        return KubeApiServerFixture.shared();
    }

    /** The shared cluster-admin client; do not close it. */
    public KubernetesClient client() {
        return server().client();
    }

    /** This test class's own namespace, created before its {@code @BeforeAll} methods run. */
    public String namespace() {
        if (namespace == null) {
            throw new IllegalStateException("no namespace yet: register KubeApiServerExtension on a static field");
        }
        return namespace;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        if (namespace == null) { // @Nested classes share their outer class's namespace
            namespace = server().createNamespace(context.getRequiredTestClass().getSimpleName());
        }
    }

    @Override
    public Throwable attachLog(Throwable failure) {
        if (!(failure instanceof TestAbortedException)) {
            failure.addSuppressed(KubeApiServerLog.asThrowable());
        }
        return failure;
    }
}
