package io.helmoci.operator.artifacts;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.helmoci.operator.credentials.ObjectLookup;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ArtifactAccessTest {
    private final Map<String, Secret> secrets = new HashMap<>();
    private final ObjectLookup lookup = new ObjectLookup() {
        @Override
        public Optional<Secret> secret(String namespace, String name) {
            return Optional.ofNullable(secrets.get(namespace + "/" + name));
        }

        @Override
        public Optional<ServiceAccount> serviceAccount(String namespace, String name) {
            return Optional.empty();
        }
    };

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void openServesEveryone() {
        assertThat(new ArtifactAccess(ArtifactAccess.Mode.OPEN, lookup).allows("team-a", null))
                .isTrue();
    }

    @Test
    void tokenModeServesOnlyTheNamespacesOwnTokenAndNothingWithoutTheSecret() {
        secrets.put(
                "team-a/" + ArtifactAccess.SECRET_NAME,
                new SecretBuilder()
                        .withNewMetadata()
                        .withName(ArtifactAccess.SECRET_NAME)
                        .endMetadata()
                        .addToData(
                                ArtifactAccess.TOKEN_KEY,
                                Base64.getEncoder().encodeToString("s3cret-a\n".getBytes(StandardCharsets.UTF_8)))
                        .build());
        secrets.put(
                "team-b/" + ArtifactAccess.SECRET_NAME,
                new SecretBuilder()
                        .withNewMetadata()
                        .withName(ArtifactAccess.SECRET_NAME)
                        .endMetadata()
                        .addToStringData(ArtifactAccess.TOKEN_KEY, "s3cret-b")
                        .build());
        ArtifactAccess access = new ArtifactAccess(ArtifactAccess.Mode.TOKEN, lookup);

        assertThat(access.allows("team-a", "Bearer s3cret-a")).isTrue();
        assertThat(access.allows("team-a", basic("flux", "s3cret-a"))).isTrue();
        assertThat(access.allows("team-a", "Bearer s3cret-b"))
                .as("another namespace's token")
                .isFalse();
        assertThat(access.allows("team-b", "bearer s3cret-b")).isTrue();
        assertThat(access.allows("team-a", null)).isFalse();
        assertThat(access.allows("team-a", "Basic !!!")).isFalse();
        assertThat(access.allows("team-c", "Bearer s3cret-a"))
                .as("no Secret: nothing served")
                .isFalse();
    }
}
