package io.helmoci.operator.credentials;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.helmoci.operator.ConditionReasons;
import io.helmoci.operator.ReconcileException;
import io.helmoci.operator.api.v1alpha1.HelmOciChart;
import io.helmoci.operator.api.v1alpha1.HelmOciChartSpec;
import io.helmoci.operator.api.v1alpha1.LocalReference;
import io.helmoci.operator.source.RegistryAccess;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class CredentialsReaderTest {
    final InMemoryObjectLookup objects = new InMemoryObjectLookup();
    final CredentialsReader reader = new CredentialsReader(objects);

    @Test
    void noReferencesMeansAnonymous() {
        RegistryAccess access = reader.read(chart(spec -> spec.setInsecure(true)));

        assertThat(access).isEqualTo(RegistryAccess.anonymous(true));
    }

    @Test
    void basicAuthSecretGivesUsernameAndPassword() {
        put("apps", "creds", "kubernetes.io/basic-auth", Map.of("username", "robot", "password", "s3cret"));

        RegistryAccess access = reader.read(chart(spec -> spec.setSecretRef(new LocalReference("creds"))));

        assertThat(access.username()).isEqualTo("robot");
        assertThat(access.password()).isEqualTo("s3cret");
        assertThat(access.toString()).doesNotContain("robot", "s3cret");
    }

    @Test
    void proxySecretGivesTheProxyWithItsCredentialsAndShowsNeither() {
        put(
                "apps",
                "proxy",
                "Opaque",
                Map.of("address", "http://proxy.corp:3128", "username", "pu", "password", "pp-7f3a"));

        RegistryAccess access = reader.read(chart(spec -> spec.setProxySecretRef(new LocalReference("proxy"))));

        assertThat(access.proxy().address()).isEqualTo("http://proxy.corp:3128");
        assertThat(access.proxy().username()).isEqualTo("pu");
        assertThat(access.proxy().password()).isEqualTo("pp-7f3a");
        assertThat(access.toString()).doesNotContain("pp-7f3a");
    }

    @Test
    void proxySecretNeedsAnUsableAddressAndBothOrNoCredentials() {
        put("apps", "no-address", "Opaque", Map.of("username", "pu", "password", "pp"));
        put("apps", "half", "Opaque", Map.of("address", "proxy:3128", "username", "pu"));
        for (String name : new String[] {"no-address", "half"}) {
            assertThatThrownBy(() -> reader.read(chart(spec -> spec.setProxySecretRef(new LocalReference(name)))))
                    .isInstanceOfSatisfying(ReconcileException.class, e -> {
                        assertThat(e.reason()).isEqualTo(ConditionReasons.INVALID_SECRET);
                        assertThat(e.getMessage()).contains(name).doesNotContain("pp-7f3a");
                    });
        }
        assertThatThrownBy(() -> reader.read(chart(spec -> spec.setProxySecretRef(new LocalReference("absent")))))
                .isInstanceOfSatisfying(
                        ReconcileException.class,
                        e -> assertThat(e.reason()).isEqualTo(ConditionReasons.SECRET_NOT_FOUND));
    }

    @Test
    void legacyDockercfgIsWrappedIntoAuths() {
        put("apps", "old", "kubernetes.io/dockercfg", Map.of(".dockercfg", "{\"reg.example\":{\"auth\":\"eDp5\"}}"));

        RegistryAccess access = reader.read(chart(spec -> spec.setSecretRef(new LocalReference("old"))));

        assertThat(access.dockerConfigJson()).isEqualTo("{\"auths\":{\"reg.example\":{\"auth\":\"eDp5\"}}}");
    }

    @Test
    void secretRefWinsOverServiceAccountPullSecretsWhichApplyInOrder() {
        put(
                "apps",
                "own",
                "kubernetes.io/dockerconfigjson",
                Map.of(".dockerconfigjson", "{\"auths\":{\"a.example\":{\"auth\":\"b3du\"}}}"));
        put(
                "apps",
                "first",
                "kubernetes.io/dockerconfigjson",
                Map.of(
                        ".dockerconfigjson",
                        "{\"auths\":{\"a.example\":{\"auth\":\"Zmlyc3Q=\"},\"b.example\":{\"auth\":\"Zmlyc3Q=\"}}}"));
        put(
                "apps",
                "second",
                "kubernetes.io/dockerconfigjson",
                Map.of(
                        ".dockerconfigjson",
                        "{\"auths\":{\"b.example\":{\"auth\":\"c2Vjb25k\"},\"c.example\":{\"auth\":\"c2Vjb25k\"}}}"));
        objects.put(new ServiceAccountBuilder()
                .withNewMetadata()
                .withName("puller")
                .withNamespace("apps")
                .endMetadata()
                .addNewImagePullSecret("first")
                .addNewImagePullSecret("second")
                .build());

        RegistryAccess access = reader.read(chart(spec -> {
            spec.setSecretRef(new LocalReference("own"));
            spec.setServiceAccountName("puller");
        }));

        assertThat(access.dockerConfigJson())
                .isEqualTo(
                        "{\"auths\":{"
                                + "\"a.example\":{\"auth\":\"b3du\"},\"b.example\":{\"auth\":\"Zmlyc3Q=\"},\"c.example\":{\"auth\":\"c2Vjb25k\"}}}");
    }

    @Test
    void secretsAreReadOnlyFromTheResourcesNamespace() {
        put("other", "creds", "kubernetes.io/basic-auth", Map.of("username", "u", "password", "p"));

        assertThatThrownBy(() -> reader.read(chart(spec -> spec.setSecretRef(new LocalReference("creds")))))
                .isInstanceOfSatisfying(ReconcileException.class, e -> {
                    assertThat(e.reason()).isEqualTo(ConditionReasons.SECRET_NOT_FOUND);
                    assertThat(e.getMessage()).contains("creds", "namespace apps");
                });
    }

    @Test
    void missingServiceAccountAndMissingPullSecretAreNamed() {
        assertThatThrownBy(() -> reader.read(chart(spec -> spec.setServiceAccountName("ghost"))))
                .isInstanceOfSatisfying(
                        ReconcileException.class,
                        e -> assertThat(e.reason()).isEqualTo(ConditionReasons.SERVICE_ACCOUNT_NOT_FOUND));
    }

    @Test
    void missingPullSecretsAreSkippedAsTheKubeletDoesAndNamed() {
        put(
                "apps",
                "present",
                "kubernetes.io/dockerconfigjson",
                Map.of(".dockerconfigjson", "{\"auths\":{\"a.example\":{\"auth\":\"b3du\"}}}"));
        objects.put(new ServiceAccountBuilder()
                .withNewMetadata()
                .withName("puller")
                .withNamespace("apps")
                .endMetadata()
                .addNewImagePullSecret("gone")
                .addNewImagePullSecret("present")
                .addNewImagePullSecret("also-gone")
                .build());
        HelmOciChart chart = chart(spec -> spec.setServiceAccountName("puller"));

        assertThat(reader.read(chart).dockerConfigJson()).isEqualTo("{\"auths\":{\"a.example\":{\"auth\":\"b3du\"}}}");
        assertThat(reader.missingPullSecretsNote(chart))
                .isEqualTo(
                        "The imagePullSecrets gone, also-gone of ServiceAccount puller do not"
                                + " exist in namespace apps and were skipped, as the kubelet skips them: create them, or remove them from the ServiceAccount.");
        assertThat(reader.missingPullSecretsNote(chart(spec -> {}))).isEmpty();
    }

    @Test
    void invalidSecretsAreExplainedWithoutTheirContent() {
        put(
                "apps",
                "broken",
                "kubernetes.io/dockerconfigjson",
                Map.of(".dockerconfigjson", "{\"auths\": {\"x\": \"hunter2\""));
        put("apps", "opaque", "Opaque", Map.of("token", "hunter2"));

        assertThatThrownBy(() -> reader.read(chart(spec -> spec.setSecretRef(new LocalReference("broken")))))
                .isInstanceOfSatisfying(ReconcileException.class, e -> {
                    assertThat(e.reason()).isEqualTo(ConditionReasons.INVALID_SECRET);
                    assertThat(e.getMessage()).contains("invalid JSON").doesNotContain("hunter2");
                });
        assertThatThrownBy(() -> reader.read(chart(spec -> spec.setSecretRef(new LocalReference("opaque")))))
                .isInstanceOfSatisfying(
                        ReconcileException.class,
                        e -> assertThat(e.getMessage())
                                .contains("type Opaque", "kubernetes.io/dockerconfigjson")
                                .doesNotContain("hunter2"));
    }

    @Test
    void certSecretGivesCaAndClientCertificate() {
        put(
                "apps",
                "tls",
                "kubernetes.io/tls",
                Map.of("ca.crt", "CA PEM", "tls.crt", "CERT PEM", "tls.key", "KEY PEM"));
        put("apps", "half", "Opaque", Map.of("tls.crt", "CERT PEM"));

        RegistryAccess access = reader.read(chart(spec -> spec.setCertSecretRef(new LocalReference("tls"))));
        assertThat(access.caPem()).isEqualTo("CA PEM");
        assertThat(access.clientCertPem()).isEqualTo("CERT PEM");
        assertThat(access.clientKeyPem()).isEqualTo("KEY PEM");

        assertThatThrownBy(() -> reader.read(chart(spec -> spec.setCertSecretRef(new LocalReference("half")))))
                .isInstanceOfSatisfying(
                        ReconcileException.class,
                        e -> assertThat(e.getMessage()).contains("tls.key"));
    }

    private void put(String namespace, String name, String type, Map<String, String> data) {
        SecretBuilder builder = new SecretBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(namespace)
                .endMetadata()
                .withType(type);
        data.forEach(
                (k, v) -> builder.addToData(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
        objects.put(builder.build());
    }

    private static HelmOciChart chart(Consumer<HelmOciChartSpec> customize) {
        HelmOciChart chart = new HelmOciChart();
        chart.setMetadata(
                new ObjectMetaBuilder().withName("c").withNamespace("apps").build());
        HelmOciChartSpec spec = new HelmOciChartSpec();
        spec.setUrl("oci://a.example/charts/c");
        customize.accept(spec);
        chart.setSpec(spec);
        return chart;
    }
}
