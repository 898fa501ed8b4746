package io.helmoci.engine.cloud;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.helmoci.engine.EngineException;
import io.helmoci.engine.Reason;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The workload identity of this process, from the variables the clouds' webhooks and SDKs use: the
 * identity of the {@code helm-oci} command and the operator's own identity.
 * <ul>
 *   <li>aws: AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE (IRSA);</li>
 *   <li>azure: AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_FEDERATED_TOKEN_FILE (Azure workload identity);</li>
 *   <li>gcp: GOOGLE_APPLICATION_CREDENTIALS naming an {@code external_account} file with a token file
 *       (workload identity federation), else the metadata server (GKE, GCE).</li>
 * </ul>
 * Token files are read at each exchange: the kubelet rotates them.
 */
public final class EnvironmentIdentity {
    public static final String SUBJECT = "the process's own identity";
    private static final ObjectMapper JSON = new ObjectMapper();

    private EnvironmentIdentity() {}

    public static CloudIdentity of(CloudProvider provider, Map<String, String> env) {
        return switch (provider) {
            case AWS ->
                new CloudIdentity(
                        provider,
                        SUBJECT,
                        env.get("AWS_ROLE_ARN"),
                        null,
                        null,
                        file(env, "AWS_WEB_IDENTITY_TOKEN_FILE"));
            case AZURE ->
                new CloudIdentity(
                        provider,
                        SUBJECT,
                        env.get("AZURE_CLIENT_ID"),
                        env.get("AZURE_TENANT_ID"),
                        null,
                        file(env, "AZURE_FEDERATED_TOKEN_FILE"));
            case GCP -> gcp(env);
        };
    }

    /** The STS token URL of the GOOGLE_APPLICATION_CREDENTIALS external_account file, or null. */
    public static String gcpTokenUrl(Map<String, String> env) {
        JsonNode config = externalAccount(env);
        return config == null || config.path("token_url").asText("").isEmpty()
                ? null
                : config.path("token_url").asText();
    }

    private static CloudIdentity gcp(Map<String, String> env) {
        JsonNode config = externalAccount(env);
        if (config == null) {
            return new CloudIdentity(CloudProvider.GCP, SUBJECT, null, null, null, null);
        }
        String tokenFile = config.path("credential_source").path("file").asText("");
        if (tokenFile.isEmpty()) {
            throw new EngineException(
                    Reason.CloudIdentityNotConfigured,
                    "The credential configuration in GOOGLE_APPLICATION_CREDENTIALS has no credential_source.file:"
                            + " only file-sourced workload identity federation is supported.");
        }
        Path path = Path.of(tokenFile);
        return new CloudIdentity(
                CloudProvider.GCP, SUBJECT, null, null, config.path("audience").asText(null), () -> read(path));
    }

    private static JsonNode externalAccount(Map<String, String> env) {
        String file = env.get("GOOGLE_APPLICATION_CREDENTIALS");
        if (file == null || file.isBlank()) {
            return null;
        }
        try {
            JsonNode config = JSON.readTree(Files.readAllBytes(Path.of(file)));
            return "external_account".equals(config.path("type").asText()) ? config : null;
        } catch (IOException e) {
            throw new EngineException(
                    Reason.CloudIdentityNotConfigured,
                    "Cannot read GOOGLE_APPLICATION_CREDENTIALS " + file + ": "
                            + e.getClass().getSimpleName() + ". Point it at a readable credential configuration file.");
        }
    }

    private static IdentityTokenSource file(Map<String, String> env, String variable) {
        String file = env.get(variable);
        if (file == null || file.isBlank()) {
            return null;
        }
        Path path = Path.of(file);
        return () -> read(path);
    }

    private static String read(Path path) {
        try {
            return Files.readString(path).trim();
        } catch (IOException e) {
            throw new EngineException(
                    Reason.CloudIdentityNotConfigured,
                    "Cannot read the identity token file " + path + ": "
                            + e.getClass().getSimpleName() + ". Mount the projected ServiceAccount token there.");
        }
    }
}
