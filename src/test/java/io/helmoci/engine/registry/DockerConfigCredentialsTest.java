package io.helmoci.engine.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.helmoci.engine.EngineException;
import io.helmoci.engine.Reason;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DockerConfigCredentialsTest {

    private static DockerConfigCredentials config(String json) {
        return DockerConfigCredentials.fromJson(json.getBytes(StandardCharsets.UTF_8));
    }

    private static String auth(String user, String password) {
        return Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @ParameterizedTest(name = "key {0} is found for {1}")
    @CsvSource({
        "registry.example.com,               registry.example.com",
        "registry.example.com:5000,          registry.example.com:5000",
        "https://registry.example.com,       registry.example.com",
        "http://registry.example.com:5000/v2/, registry.example.com:5000",
        "https://Registry.Example.com/v1/,   registry.example.com",
        "https://index.docker.io/v1/,        docker.io",
        "https://index.docker.io/v1/,        registry-1.docker.io",
        "docker.io,                          index.docker.io",
        "index.docker.io,                    registry-1.docker.io",
        "registry-1.docker.io,               https://index.docker.io/v1/",
    })
    void findsEveryKeySpelling(String key, String registry) {
        DockerConfigCredentials config =
                config("{\"auths\":{\"" + key + "\":{\"auth\":\"" + auth("alice", "s3cret") + "\"}}}");

        Credentials found = config.lookup(registry).orElseThrow();
        assertThat(found.kind()).isEqualTo(Credentials.Kind.BASIC);
        assertThat(found).isEqualTo(Credentials.basic("alice", "s3cret"));
    }

    @Test
    void portMustMatch() {
        DockerConfigCredentials config =
                config("{\"auths\":{\"registry.example.com:5000\":{\"username\":\"a\",\"password\":\"b\"}}}");

        assertThat(config.lookup("registry.example.com")).isEmpty();
        assertThat(config.lookup("registry.example.com:5001")).isEmpty();
        assertThat(config.forRegistry("other.example.com").isAnonymous()).isTrue();
    }

    @Test
    void authOverridesUsernameAndPasswordAndMayContainColons() {
        DockerConfigCredentials config =
                config("{\"auths\":{\"r.io\":{\"username\":\"old\",\"password\":\"old\",\"auth\":\""
                        + auth("new", "pa:ss") + "\"}}}");

        assertThat(config.forRegistry("r.io")).isEqualTo(Credentials.basic("new", "pa:ss"));
    }

    @Test
    void readsTheBareDockercfgMap() {
        DockerConfigCredentials config =
                config("{\"https://r.io\":{\"auth\":\"" + auth("u", "p") + "\",\"email\":\"u@r.io\"}}");

        assertThat(config.forRegistry("r.io")).isEqualTo(Credentials.basic("u", "p"));
    }

    @Test
    void readsIdentityAndRegistryTokens() {
        DockerConfigCredentials config = config("{\"auths\":{"
                + "\"a.io\":{\"auth\":\"" + auth("00000000-0000-0000-0000-000000000000", "")
                + "\",\"identitytoken\":\"refresh-123\"},"
                + "\"b.io\":{\"registrytoken\":\"bearer-456\",\"username\":\"x\",\"password\":\"y\"}}}");

        Credentials identity = config.forRegistry("a.io");
        assertThat(identity.kind()).isEqualTo(Credentials.Kind.IDENTITY_TOKEN);
        assertThat(identity.username()).isEqualTo("00000000-0000-0000-0000-000000000000");
        assertThat(identity.secret()).isEqualTo("refresh-123");
        Credentials registryToken = config.forRegistry("b.io");
        assertThat(registryToken.kind()).isEqualTo(Credentials.Kind.REGISTRY_TOKEN);
        assertThat(registryToken.secret()).isEqualTo("bearer-456");
    }

    @Test
    void aliasesOfDockerHubAreOneEntryAndTheFirstWithCredentialsWins() {
        DockerConfigCredentials config = config("{\"auths\":{\"docker.io\":{},"
                + "\"https://index.docker.io/v1/\":{\"auth\":\"" + auth("hub", "pw") + "\"},"
                + "\"registry-1.docker.io\":{\"auth\":\"" + auth("later", "pw2") + "\"}}}");

        assertThat(config.registries()).containsExactly("docker.io");
        assertThat(config.forRegistry("docker.io")).isEqualTo(Credentials.basic("hub", "pw"));
    }

    @Test
    void rejectsBrokenConfigWithoutEchoingSecrets() {
        assertThatThrownBy(() -> config("not json"))
                .isInstanceOf(EngineException.class)
                .satisfies(e -> assertThat(((EngineException) e).reason()).isEqualTo(Reason.Unauthorized));
        assertThatThrownBy(() -> config("{\"auths\":{\"r.io\":{\"auth\":\"%%%topsecret\"}}}"))
                .isInstanceOf(EngineException.class)
                .hasMessageNotContaining("topsecret");
        assertThatThrownBy(() -> config("{\"auths\":{\"r.io\":{\"auth\":\""
                        + Base64.getEncoder().encodeToString("nocolon".getBytes()) + "\"}}}"))
                .hasMessageNotContaining("nocolon");
    }

    @Test
    void credentialsNeverPrintSecrets() {
        Credentials basic = Credentials.basic("alice", "s3cret");

        assertThat(basic.toString()).contains("alice").doesNotContain("s3cret");
        assertThat(basic.identity())
                .doesNotContain("s3cret")
                .isNotEqualTo(Credentials.basic("alice", "other").identity());
        assertThat(Credentials.registryToken("tok-abc").toString()).doesNotContain("tok-abc");
        assertThat(Credentials.identityToken(null, "refresh-xyz").describe()).doesNotContain("refresh-xyz");
    }
}
