package io.helmoci.testbed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Proves the test bed runs the real thing: CRD schema and CEL validation, server-side apply, kubectl, RBAC. */
class KubeApiServerSmokeIT {
    private static final String CRD = "widgets.smoke.helmoci.io";
    private static final ResourceDefinitionContext WIDGETS = new ResourceDefinitionContext.Builder()
            .withGroup("smoke.helmoci.io")
            .withVersion("v1")
            .withKind("Widget")
            .withPlural("widgets")
            .withNamespaced(true)
            .build();

    @RegisterExtension
    static final KubeApiServerExtension kube = new KubeApiServerExtension();

    private static long classStart;

    @BeforeAll
    static void applySmokeCrd() throws URISyntaxException {
        classStart = System.nanoTime();
        KubeApiServerFixture.shared(); // started by the extension already
        long sharedAccess = millisSince(classStart);
        long begin = System.nanoTime();
        assertThat(kube.server()
                        .applyCrds(Path.of(KubeApiServerSmokeIT.class
                                .getResource("/testbed/smoke-crds")
                                .toURI())))
                .containsExactly(CRD);
        System.out.printf(
                "kube-apiserver: first start %d ms, shared access %d ms; CRD applied and Established in %d ms%n",
                kube.server().startupTime().toMillis(), sharedAccess, millisSince(begin));
    }

    @AfterAll
    static void reportDuration() {
        System.out.printf("KubeApiServerSmokeIT tests took %d ms after the server was up%n", millisSince(classStart));
    }

    @Test
    void crdIsEstablishedAndServesCustomObjects() {
        assertThat(KubeApiServerFixture.isEstablished(kube.client()
                        .apiextensions()
                        .v1()
                        .customResourceDefinitions()
                        .withName(CRD)
                        .get()))
                .isTrue();
        widgets().resource(widget("created", Map.of("size", 3, "maxSize", 5))).create();

        GenericKubernetesResource read = widgets().withName("created").get();

        assertThat(read.getMetadata().getUid()).isNotBlank();
        assertThat(read.<Integer>get("spec", "size")).isEqualTo(3);
        assertThat(read.<Integer>get("spec", "maxSize")).isEqualTo(5);
    }

    @Test
    void schemaViolationIsRejectedNamingTheField() {
        assertThatThrownBy(() -> widgets()
                        .resource(widget("no-size", Map.of("maxSize", 2)))
                        .create())
                .isInstanceOfSatisfying(
                        KubernetesClientException.class,
                        e -> assertThat(e.getCode()).isEqualTo(422))
                .hasMessageContaining("spec.size: Required value");
        assertThatThrownBy(() -> widgets()
                        .resource(widget("zero-size", Map.of("size", 0)))
                        .create())
                .isInstanceOfSatisfying(
                        KubernetesClientException.class,
                        e -> assertThat(e.getCode()).isEqualTo(422))
                .hasMessageContaining("spec.size")
                .hasMessageContaining("should be greater than or equal to 1");
        assertThat(widgets().withName("no-size").get()).isNull();
    }

    @Test
    void celRuleViolationIsRejectedNamingTheField() {
        assertThatThrownBy(() -> widgets()
                        .resource(widget("too-big", Map.of("size", 7, "maxSize", 5)))
                        .create())
                .isInstanceOfSatisfying(
                        KubernetesClientException.class,
                        e -> assertThat(e.getCode()).isEqualTo(422))
                .hasMessageContaining("spec.size")
                .hasMessageContaining("size must not exceed maxSize");
        assertThat(widgets().withName("too-big").get()).isNull();
    }

    @Test
    void serverSideApplyRecordsFieldManagersForSpecAndStatus() {
        widgets()
                .resource(widget("applied", Map.of("size", 1)))
                .fieldManager("smoke-spec")
                .forceConflicts()
                .serverSideApply();
        widgets()
                .resource(widget("applied", Map.of("size", 2)))
                .fieldManager("smoke-spec")
                .forceConflicts()
                .serverSideApply();
        GenericKubernetesResource status = widget("applied", "status", Map.of("phase", "Ready", "observedSize", 2));
        widgets()
                .resource(status)
                .subresource("status")
                .patch(
                        new PatchContext.Builder()
                                .withPatchType(PatchType.SERVER_SIDE_APPLY)
                                .withFieldManager("smoke-status")
                                .withForce(true)
                                .build(),
                        status);

        GenericKubernetesResource read = widgets().withName("applied").get();

        assertThat(read.<Integer>get("spec", "size")).isEqualTo(2);
        assertThat(read.<String>get("status", "phase")).isEqualTo("Ready");
        assertThat(read.getMetadata().getManagedFields())
                .extracting(
                        ManagedFieldsEntry::getManager,
                        ManagedFieldsEntry::getOperation,
                        ManagedFieldsEntry::getSubresource)
                .containsExactlyInAnyOrder(
                        tuple("smoke-spec", "Apply", null), tuple("smoke-status", "Apply", "status"));
    }

    @Test
    void realKubectlListsTheCustomObjects() {
        widgets().resource(widget("listed", Map.of("size", 4))).create();

        ProcessRunner.Result result = kube.server()
                .kubectl("get", "widgets", "-n", kube.namespace(), "-o", "name")
                .orThrow();

        assertThat(result.stdout().lines()).contains("widget.smoke.helmoci.io/listed");
    }

    @Test
    void rbacDeniesAServiceAccountWithoutARoleAndAllowsItOnceBound() {
        String namespace = kube.server().createNamespace("rbac");
        kube.client()
                .serviceAccounts()
                .inNamespace(namespace)
                .resource(new ServiceAccountBuilder()
                        .withNewMetadata()
                        .withName("reader")
                        .endMetadata()
                        .build())
                .create();

        try (KubernetesClient reader = kube.server().clientAs(namespace, "reader")) {
            assertThatThrownBy(() -> reader.genericKubernetesResources(WIDGETS)
                            .inNamespace(namespace)
                            .list())
                    .isInstanceOfSatisfying(
                            KubernetesClientException.class,
                            e -> assertThat(e.getCode()).isEqualTo(403))
                    .hasMessageContaining("system:serviceaccount:" + namespace + ":reader")
                    .hasMessageContaining("widgets");

            kube.client()
                    .rbac()
                    .roles()
                    .inNamespace(namespace)
                    .resource(new RoleBuilder()
                            .withNewMetadata()
                            .withName("widget-reader")
                            .endMetadata()
                            .withRules(new PolicyRuleBuilder()
                                    .withApiGroups("smoke.helmoci.io")
                                    .withResources("widgets")
                                    .withVerbs("get", "list", "watch")
                                    .build())
                            .build())
                    .create();
            kube.client()
                    .rbac()
                    .roleBindings()
                    .inNamespace(namespace)
                    .resource(new RoleBindingBuilder()
                            .withNewMetadata()
                            .withName("reader-reads-widgets")
                            .endMetadata()
                            .withNewRoleRef("rbac.authorization.k8s.io", "Role", "widget-reader")
                            .addNewSubject()
                            .withKind("ServiceAccount")
                            .withName("reader")
                            .withNamespace(namespace)
                            .endSubject()
                            .build())
                    .create();

            assertThat(listWhenAllowed(reader, namespace).getItems()).isEmpty();
            // The Role grants reading in its namespace only: no writing, nothing elsewhere.
            assertThatThrownBy(() -> reader.genericKubernetesResources(WIDGETS)
                            .inNamespace(namespace)
                            .resource(widget("forbidden", Map.of("size", 1)))
                            .create())
                    .isInstanceOfSatisfying(
                            KubernetesClientException.class,
                            e -> assertThat(e.getCode()).isEqualTo(403));
            assertThatThrownBy(() -> reader.genericKubernetesResources(WIDGETS)
                            .inNamespace(kube.namespace())
                            .list())
                    .isInstanceOfSatisfying(
                            KubernetesClientException.class,
                            e -> assertThat(e.getCode()).isEqualTo(403));
        }
    }

    /** The RBAC authorizer sees new bindings through an informer: allow it a moment. */
    private static GenericKubernetesResourceList listWhenAllowed(KubernetesClient client, String namespace) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            try {
                return client.genericKubernetesResources(WIDGETS)
                        .inNamespace(namespace)
                        .list();
            } catch (KubernetesClientException e) {
                if (e.getCode() != 403 || System.nanoTime() > deadline) {
                    throw e;
                }
                sleep(Duration.ofMillis(100));
            }
        }
    }

    private static NonNamespaceOperation<
                    GenericKubernetesResource, GenericKubernetesResourceList, Resource<GenericKubernetesResource>>
            widgets() {
        return kube.client().genericKubernetesResources(WIDGETS).inNamespace(kube.namespace());
    }

    private static GenericKubernetesResource widget(String name, Map<String, Object> spec) {
        return widget(name, "spec", spec);
    }

    /** A Widget with one top-level field, "spec" or "status". */
    private static GenericKubernetesResource widget(String name, String field, Map<String, Object> value) {
        return new GenericKubernetesResourceBuilder()
                .withApiVersion("smoke.helmoci.io/v1")
                .withKind("Widget")
                .withNewMetadata()
                .withName(name)
                .endMetadata()
                .withAdditionalProperties(Map.of(field, value))
                .build();
    }

    private static long millisSince(long nanoTime) {
        return Duration.ofNanos(System.nanoTime() - nanoTime).toMillis();
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
