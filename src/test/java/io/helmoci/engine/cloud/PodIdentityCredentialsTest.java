package io.helmoci.engine.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.helmoci.engine.EngineException;
import io.helmoci.engine.Reason;
import io.helmoci.testbed.ScriptedHttpServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;

/**
 * The EKS Pod Identity agent's protocol as the SDK speaks it for us: the token file's content as
 * Authorization, the role credentials and their expiry from the answer. The SDK reads the agent's
 * address and token file from its system properties (set here) or the environment.
 */
class PodIdentityCredentialsTest {
    private static final String FULL_URI = "aws.containerCredentialsFullUri";
    private static final String TOKEN_FILE = "aws.containerAuthorizationTokenFile";
    private static final CloudIdentity OWN = new CloudIdentity(CloudProvider.AWS, "own", null, null, null, null);

    private ScriptedHttpServer agent;

    @AfterEach
    void close() {
        System.clearProperty(FULL_URI);
        System.clearProperty(TOKEN_FILE);
        if (agent != null) {
            agent.close();
        }
    }

    @Test
    void theAgentGetsTheTokenFileAndAnswersSessionCredentials(@TempDir Path dir) throws Exception {
        agent = ScriptedHttpServer.start((exchange, request) -> {
            boolean valid = "pod-token-3f1c".equals(request.header("Authorization"));
            ScriptedHttpServer.respond(
                    exchange,
                    valid ? 200 : 400,
                    Map.of("Content-Type", "application/json"),
                    valid
                            ? "{\"AccessKeyId\":\"ASIAEXAMPLE\",\"SecretAccessKey\":\"secret\",\"Token\":\"session\","
                                    + "\"AccountId\":\"111111111111\",\"Expiration\":\"2030-01-01T00:00:00Z\"}"
                            : "{\"errorCode\":\"InvalidTokenException\",\"message\":\"bad token\"}");
        });
        Path tokenFile = Files.writeString(dir.resolve("token"), "pod-token-3f1c"); // the kubelet writes no newline
        System.setProperty(FULL_URI, agent.url() + "/v1/credentials");
        System.setProperty(TOKEN_FILE, tokenFile.toString());
        assertThat(AwsEcrExchange.containerCredentialsSet()).isTrue();

        AwsSessionCredentials credentials = AwsEcrExchange.podIdentityCredentials(OWN);

        assertThat(credentials.accessKeyId()).isEqualTo("ASIAEXAMPLE");
        assertThat(credentials.sessionToken()).isEqualTo("session");
        assertThat(credentials.expirationTime()).hasValue(java.time.Instant.parse("2030-01-01T00:00:00Z"));

        Files.writeString(tokenFile, "another-token");
        EngineException refused =
                catchThrowableOfType(EngineException.class, () -> AwsEcrExchange.podIdentityCredentials(OWN));
        assertThat(refused.reason()).isEqualTo(Reason.CloudIdentityUnavailable);
        assertThat(refused.getMessage()).contains("Pod Identity").doesNotContain("another-token");
    }
}
