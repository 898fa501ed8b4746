package io.helmoci.operator.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Each sender type against its documented delivery (src/test/resources/webhooks): what it announces and how it authenticates. */
class WebhookSendersTest {
    static final String TOKEN = "s3cr3t-token";

    static Stream<String> types() {
        return WebhookFixtures.EXPECTED.keySet().stream().sorted();
    }

    static Stream<String> authenticatingTypes() {
        return WebhookFixtures.AUTHENTICATING.stream();
    }

    @ParameterizedTest
    @MethodSource("types")
    void theDocumentedDeliveryAnnouncesItsRegistryAndRepository(String type) {
        byte[] body = WebhookFixtures.body(type);
        WebhookRequest request = new WebhookRequest(WebhookFixtures.validHeaders(type, body, TOKEN), body);
        Sender sender = Sender.of(type);

        assertThat(sender.authenticated(request, TOKEN.getBytes(StandardCharsets.UTF_8)))
                .isTrue();
        assertThat(sender.pushes(request)).containsExactly(WebhookFixtures.EXPECTED.get(type));
    }

    @ParameterizedTest
    @MethodSource("authenticatingTypes")
    void aForgedOrMissingProofIsNotAuthenticated(String type) {
        byte[] body = WebhookFixtures.body(type);
        byte[] token = TOKEN.getBytes(StandardCharsets.UTF_8);
        Sender sender = Sender.of(type);

        assertThat(sender.authenticated(new WebhookRequest(WebhookFixtures.forgedHeaders(type, body), body), token))
                .as("signed or sent with another token")
                .isFalse();
        assertThat(sender.authenticated(
                        new WebhookRequest(WebhookFixtures.headersWithoutToken(type, body, TOKEN), body), token))
                .as("no token at all")
                .isFalse();
    }

    @ParameterizedTest
    @MethodSource("authenticatingTypes")
    void aSignatureOrTokenForAnotherBodyOrTokenDoesNotCarryOver(String type) {
        byte[] body = WebhookFixtures.body(type);
        byte[] tampered = (new String(body, StandardCharsets.UTF_8) + " ").getBytes(StandardCharsets.UTF_8);
        Map<String, String> signedForOriginal = WebhookFixtures.validHeaders(type, body, TOKEN);
        boolean signs = type.equals("github") || type.equals("generic-hmac");

        assertThat(Sender.of(type)
                        .authenticated(
                                new WebhookRequest(signedForOriginal, tampered),
                                TOKEN.getBytes(StandardCharsets.UTF_8)))
                .as("a body changed after signing verifies only for senders that do not sign the body")
                .isEqualTo(!signs);
    }

    @ParameterizedTest
    @MethodSource("types")
    void bodiesThatAreNotTheSendersEventsAreMalformed(String type) {
        Sender sender = Sender.of(type);
        for (String body : List.of("not json", "[1,2]", "{}")) {
            WebhookRequest request = new WebhookRequest(
                    WebhookFixtures.validHeaders(type, body.getBytes(StandardCharsets.UTF_8), TOKEN),
                    body.getBytes(StandardCharsets.UTF_8));
            if (type.equals("github") && body.equals("{}")) {
                continue; // a GitHub delivery without a package is another event (like ping): nothing to do
            }
            assertThatThrownBy(() -> sender.pushes(request))
                    .as("%s body %s", type, body)
                    .isInstanceOf(MalformedEventException.class);
        }
    }

    @Test
    void deliveriesThatAnnounceNoPushTriggerNothing() {
        String ping = "{\"zen\":\"Keep it logically awesome.\",\"hook_id\":1}";
        assertThat(Sender.of("github")
                        .pushes(new WebhookRequest(
                                Map.of("x-github-event", "ping"), ping.getBytes(StandardCharsets.UTF_8))))
                .isEmpty();
        assertThat(Sender.of("acr").pushes(json("{\"action\":\"ping\",\"target\":{},\"request\":{}}")))
                .isEmpty();
        assertThat(Sender.of("harbor").pushes(json("{\"type\":\"PULL_ARTIFACT\",\"event_data\":{}}")))
                .isEmpty();
        assertThat(Sender.of("distribution")
                        .pushes(json(
                                "{\"events\":[{\"action\":\"pull\",\"target\":{\"repository\":\"a/b\",\"tag\":\"1\"},"
                                        + "\"request\":{\"host\":\"r.test\"}}]}")))
                .isEmpty();
        String delete = Base64.getEncoder()
                .encodeToString("{\"action\":\"DELETE\",\"tag\":\"r.test/p/r/i:1\"}".getBytes(StandardCharsets.UTF_8));
        assertThat(Sender.of("gar").pushes(json("{\"message\":{\"data\":\"" + delete + "\"}}")))
                .isEmpty();
    }

    @Test
    void aCdEventInBinaryModeIsReadLikeTheStructuredOne() throws Exception {
        byte[] structured = WebhookFixtures.body("cdevents");
        byte[] binary = new com.fasterxml.jackson.databind.ObjectMapper()
                .writeValueAsBytes(new com.fasterxml.jackson.databind.ObjectMapper()
                        .readTree(structured)
                        .path("data"));

        assertThat(Sender.of("cdevents")
                        .pushes(new WebhookRequest(Map.of("ce-type", "dev.cdevents.artifact.published.0.2.0"), binary)))
                .containsExactly(WebhookFixtures.EXPECTED.get("cdevents"));
        String notOci = new String(binary, StandardCharsets.UTF_8).replaceFirst("pkg:oci/", "pkg:npm/");
        assertThat(Sender.of("cdevents").pushes(json(notOci)))
                .as("another package type")
                .isEmpty();
    }

    @Test
    void chartUrlsMatchTheRepositoryAnEventNames() {
        PushEvent event = new PushEvent("Registry.Example.Test:5000", "Charts/App", "1.2.3", null);
        assertThat(RepositoryAddress.ofChartUrl("oci://registry.example.test:5000/charts/app"))
                .hasValueSatisfying(
                        address -> assertThat(address.matches(event)).isTrue());
        assertThat(RepositoryAddress.ofChartUrl("oci://registry.example.test:5000/charts/app:1.0.0"))
                .hasValueSatisfying(
                        address -> assertThat(address.matches(event)).isTrue());
        assertThat(RepositoryAddress.ofChartUrl("oci://registry.example.test:5000/charts/app-two"))
                .hasValueSatisfying(
                        address -> assertThat(address.matches(event)).isFalse());
        assertThat(RepositoryAddress.ofChartUrl("oci://registry.example.test/charts/app"))
                .as("another port is another registry")
                .hasValueSatisfying(
                        address -> assertThat(address.matches(event)).isFalse());
        assertThat(RepositoryAddress.ofChartUrl("oci://registry-1.docker.io/user/chart"))
                .hasValue(new RepositoryAddress("docker.io", "user/chart"));
        assertThat(RepositoryAddress.ofChartUrl("https://example.test/charts")).isEmpty();
    }

    @Test
    void theWebhookPathIsFluxsDerivationOfTokenNameAndNamespace() {
        // printf '%s' 'tokenreceiverns' | sha256sum
        assertThat(WebhookPath.of("token", "receiver", "ns"))
                .isEqualTo("/hook/a02c9330a19f5118e5ba023b53aa867c3da7ae58feb6cc42b684a7065f146387")
                .isNotEqualTo(WebhookPath.of("token2", "receiver", "ns"))
                .isNotEqualTo(WebhookPath.of("token", "receiver", "ns2"));
    }

    private static WebhookRequest json(String body) {
        return new WebhookRequest(Map.of(), body.getBytes(StandardCharsets.UTF_8));
    }
}
