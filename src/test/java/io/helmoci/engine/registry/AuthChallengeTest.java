package io.helmoci.engine.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class AuthChallengeTest {

    @Test
    void parsesBearerWithQuotedCommasAndSeveralScopes() {
        List<AuthChallenge> challenges = AuthChallenge.parse(
                List.of(
                        "Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\",scope=\"repository:samalba/my-app:pull,push repository:other/app:pull\""));

        assertThat(challenges).hasSize(1);
        AuthChallenge bearer = challenges.get(0);
        assertThat(bearer.isBearer()).isTrue();
        assertThat(bearer.realm()).isEqualTo("https://auth.docker.io/token");
        assertThat(bearer.service()).isEqualTo("registry.docker.io");
        assertThat(bearer.scopes()).containsExactly("repository:samalba/my-app:pull,push", "repository:other/app:pull");
    }

    @Test
    void keepsHostAndPortInsideScopeNames() {
        AuthChallenge bearer = AuthChallenge.parse(
                        List.of(
                                "Bearer realm=\"https://127.0.0.1:5001/auth\", scope=\"repository:127.0.0.1:5000/charts/app:pull\", error=\"insufficient_scope\""))
                .get(0);

        assertThat(bearer.scopes()).containsExactly("repository:127.0.0.1:5000/charts/app:pull");
        assertThat(bearer.error()).isEqualTo("insufficient_scope");
        assertThat(AuthChallenge.splitScope(bearer.scopes().get(0)))
                .containsExactly("repository", "127.0.0.1:5000/charts/app", "pull");
    }

    @Test
    void separatesSeveralChallengesInOneHeaderAndAcrossHeaders() {
        List<AuthChallenge> challenges = AuthChallenge.parse(List.of(
                "Basic realm=\"Registry Realm\", charset=\"UTF-8\", Bearer realm=\"https://r/token\",service=r",
                "Negotiate"));

        assertThat(challenges).extracting(AuthChallenge::scheme).containsExactly("basic", "bearer", "negotiate");
        assertThat(challenges.get(0).realm()).isEqualTo("Registry Realm");
        assertThat(challenges.get(0).params()).containsEntry("charset", "UTF-8");
        assertThat(challenges.get(1).service()).isEqualTo("r");
        assertThat(AuthChallenge.preferred(challenges).scheme()).isEqualTo("bearer");
    }

    @Test
    void readsUnquotedValuesEscapesAndCaseInsensitiveNames() {
        AuthChallenge challenge = AuthChallenge.parse(
                        List.of("BEARER Realm=https://r/token , Service = \"a \\\"quoted\\\" name\""))
                .get(0);

        assertThat(challenge.scheme()).isEqualTo("bearer");
        assertThat(challenge.realm()).isEqualTo("https://r/token");
        assertThat(challenge.service()).isEqualTo("a \"quoted\" name");
        assertThat(challenge.scopes()).isEmpty();
    }

    @Test
    void toleratesEmptyAndMalformedHeaders() {
        assertThat(AuthChallenge.parse(List.of("", "   ", ",,"))).isEmpty();
        assertThat(AuthChallenge.preferred(AuthChallenge.parse(List.of("Digest realm=x"))))
                .isNull();
        assertThat(AuthChallenge.parse(List.of("Bearer realm=\"unterminated"))
                        .get(0)
                        .realm())
                .isEqualTo("unterminated");
        assertThat(AuthChallenge.splitScope("repository:app")).isNull();
        assertThat(AuthChallenge.splitScope("repository:a/b:")).isNull();
    }
}
