package io.helmoci.engine.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.helmoci.engine.EngineException;
import io.helmoci.engine.Reason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class OciReferenceTest {
    static final String SHA256 = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    static final String SHA512 =
            "sha512:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    @Test
    void parsesAllParts() {
        OciReference ref = OciReference.parse("oci://ghcr.io/acme/charts/podinfo:6.5.0@" + SHA256);
        assertThat(ref.registry()).isEqualTo("ghcr.io");
        assertThat(ref.repository()).isEqualTo("acme/charts/podinfo");
        assertThat(ref.tag()).isEqualTo("6.5.0");
        assertThat(ref.digest()).isEqualTo(SHA256);
        assertThat(ref.chartName()).isEqualTo("podinfo");
        assertThat(ref.repositoryUrl()).isEqualTo("oci://ghcr.io/acme/charts/podinfo");
        assertThat(ref.pinned(SHA512)).isEqualTo("oci://ghcr.io/acme/charts/podinfo@" + SHA512);
        assertThat(ref.apiHost()).isEqualTo("ghcr.io");
        assertThat(ref.manifestReference()).isEqualTo(SHA256);
        assertThat(ref.withDigest(null).manifestReference()).isEqualTo("6.5.0");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "oci://localhost:5000/mychart",
                "oci://127.0.0.1:5000/a/b/c:1.2.3_build.5",
                "oci://[::1]:5000/charts/x@" + SHA256,
                "oci://registry.example.com/a.b/c_d/e__f/g--h/i-j:latest",
                "oci://r.io/x:_tag-with.dots_",
                "oci://r.io/x:1.0.0@" + SHA512,
                "oci://docker.io/bitnamicharts/nginx:15.0.0",
            })
    void roundTripsCanonicalText(String text) {
        OciReference ref = OciReference.parse(text);
        assertThat(ref.toString()).isEqualTo(text);
        assertThat(OciReference.parse(ref.toString())).isEqualTo(ref);
    }

    @ParameterizedTest
    @CsvSource({
        "oci://docker.io/bitnamicharts/nginx, oci://docker.io/bitnamicharts/nginx",
        "oci://index.docker.io/bitnamicharts/nginx, oci://docker.io/bitnamicharts/nginx",
        "oci://registry-1.docker.io/bitnamicharts/nginx, oci://docker.io/bitnamicharts/nginx",
        "oci://Registry-1.Docker.IO/bitnamicharts/nginx, oci://docker.io/bitnamicharts/nginx",
        "oci://GHCR.io/acme/x, oci://ghcr.io/acme/x",
        // No library/ prefix: Helm and oras-go do not add one.
        "oci://docker.io/nginx:1.0.0, oci://docker.io/nginx:1.0.0",
    })
    void normalisesRegistryNames(String text, String canonical) {
        OciReference ref = OciReference.parse(text);
        assertThat(ref.toString()).isEqualTo(canonical);
        assertThat(ref).isEqualTo(OciReference.parse(canonical));
    }

    @Test
    void sendsDockerHubRequestsToItsApiHost() {
        assertThat(OciReference.parse("oci://index.docker.io/bitnamicharts/nginx")
                        .apiHost())
                .isEqualTo("registry-1.docker.io");
        assertThat(new OciReference("registry-1.docker.io", "a/b", null, null).registry())
                .isEqualTo("docker.io");
        assertThat(OciReference.parse("oci://localhost:5000/x").apiHost()).isEqualTo("localhost:5000");
    }

    @Test
    void withTagAndWithDigestValidate() {
        OciReference ref = OciReference.parse("oci://r.io/x");
        assertThat(ref.withTag("1.0.0").toString()).isEqualTo("oci://r.io/x:1.0.0");
        assertThat(ref.withTag("1.0.0").withDigest(SHA256).toString()).isEqualTo("oci://r.io/x:1.0.0@" + SHA256);
        assertThat(ref.manifestReference()).isNull();
        assertInvalid(() -> ref.withTag("1.0.0+b"), "contains '+'");
        assertInvalid(() -> ref.withDigest("sha256:abc"), "expected 64");
        assertInvalid(() -> ref.pinned("md5:0123"), "not supported");
    }

    @ParameterizedTest(name = "[{index}] {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "''|empty",
                "ghcr.io/acme/x:1.0.0|has no scheme: write oci://ghcr.io/acme/x:1.0.0",
                "https://ghcr.io/acme/x|uses the scheme https://",
                "OCI://ghcr.io/acme/x|uses the scheme OCI://",
                "oci:///acme/x|no registry host",
                "oci://ghcr.io|no repository path",
                "oci://ghcr.io/|no repository path",
                "oci://ghcr.io:99999/x|port 99999",
                "oci://ghcr_io/x|registry host \"ghcr_io\"",
                "oci://ghcr.io/Acme/X|must be lower case",
                "oci://ghcr.io/acme//x|empty path component",
                "oci://ghcr.io/acme/x/|empty path component",
                "oci://ghcr.io/acme/-x|path component \"-x\"",
                "oci://ghcr.io/acme/x./y|path component \"x.\"",
                "oci://ghcr.io/acme/x?y=1|path component \"x?y=1\"",
                "oci://ghcr.io/acme/x:|has ':' but no tag",
                "oci://ghcr.io/acme/x:.hidden|tag \".hidden\" is invalid",
                "oci://ghcr.io/acme/x:1.0.0+build.1|Helm stores a '+' in a chart version as '_' in the tag: use the tag \"1.0.0_build.1\"",
                "oci://ghcr.io/acme/x@|no digest after it",
                "oci://ghcr.io/acme/x@0123|has no algorithm",
                "oci://ghcr.io/acme/x@md5:0123456789abcdef0123456789abcdef|algorithm \"md5\" is not supported",
                "oci://ghcr.io/acme/x@sha256:0123|4 characters after 'sha256:', expected 64",
                "oci://ghcr.io/acme/x@sha256:0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF|lower-case hex: use sha256:0123456789abcdef",
                "oci://ghcr.io/acme/x@sha256:0123456789abcdeg0123456789abcdef0123456789abcdef0123456789abcdef|other than hex digits",
                "oci://ghcr.io/acme/x@sha512:0123456789abcdef|expected 128",
                "'oci://ghcr.io/acme/x :1.0'|whitespace",
            })
    void rejectsWithAnExplanation(String text, String explanation) {
        assertInvalid(() -> OciReference.parse(text), explanation);
    }

    @Test
    void rejectsTagWithThe128CharacterLimit() {
        OciReference.parse("oci://r.io/x:" + "a".repeat(128));
        assertInvalid(() -> OciReference.parse("oci://r.io/x:" + "a".repeat(129)), "1 to 128");
    }

    @Test
    void rejectsNamesOver255Characters() {
        OciReference.parse("oci://r.io/" + "a".repeat(250));
        assertInvalid(() -> OciReference.parse("oci://r.io/" + "a".repeat(251)), "longer than 255");
    }

    @Test
    void neverEchoesCredentials() {
        assertThatThrownBy(() -> OciReference.parse("oci://alice:s3cret@ghcr.io/acme/x"))
                .isInstanceOf(EngineException.class)
                .hasMessageContaining("credentials")
                .hasMessageNotContaining("s3cret")
                .hasMessageNotContaining("alice");
    }

    private static void assertInvalid(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String explanation) {
        assertThatThrownBy(call).isInstanceOfSatisfying(EngineException.class, e -> {
            assertThat(e.reason()).isEqualTo(Reason.InvalidReference);
            assertThat(e.getMessage())
                    .contains(explanation)
                    .contains("Expected form: oci://host[:port]/path/name[:tag][@sha256:");
        });
    }
}
