package io.helmoci.operator.credentials;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.helmoci.operator.ConditionReasons;
import io.helmoci.operator.ReconcileException;
import io.helmoci.operator.ReconcileException.Disposition;
import io.helmoci.operator.api.v1alpha1.HelmOciChart;
import io.helmoci.operator.api.v1alpha1.HelmOciChartSpec;
import io.helmoci.operator.source.ProxyAccess;
import io.helmoci.operator.source.RegistryAccess;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Turns spec.secretRef, spec.serviceAccountName, spec.certSecretRef and spec.proxySecretRef into {@link RegistryAccess}.
 * Reads only from the resource's own namespace. Messages name Secrets and keys, never values.
 */
public final class CredentialsReader {
    public static final String TYPE_DOCKER_CONFIG_JSON = "kubernetes.io/dockerconfigjson";
    public static final String TYPE_DOCKERCFG = "kubernetes.io/dockercfg";
    public static final String TYPE_BASIC_AUTH = "kubernetes.io/basic-auth";
    static final String KEY_DOCKER_CONFIG_JSON = ".dockerconfigjson";
    static final String KEY_DOCKERCFG = ".dockercfg";
    static final String KEY_CA = "ca.crt";
    static final String KEY_CERT = "tls.crt";
    static final String KEY_KEY = "tls.key";
    static final String KEY_PROXY_ADDRESS = "address";
    static final String KEY_PROXY_USERNAME = "username";
    static final String KEY_PROXY_PASSWORD = "password";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ObjectLookup lookup;

    public CredentialsReader(ObjectLookup lookup) {
        this.lookup = lookup;
    }

    /**
     * A sentence naming the imagePullSecrets of spec.serviceAccountName that do not exist in the
     * namespace, which {@link #read} skips as the kubelet does; empty when none are missing (or
     * there is no such ServiceAccount).
     */
    public String missingPullSecretsNote(HelmOciChart resource) {
        String namespace = resource.getMetadata().getNamespace();
        String accountName = resource.getSpec().getServiceAccountName();
        if (accountName == null || accountName.isBlank()) {
            return "";
        }
        List<String> missing = lookup
                .serviceAccount(namespace, accountName)
                .map(ServiceAccount::getImagePullSecrets)
                .orElse(List.of())
                .stream()
                .map(reference -> reference == null ? null : reference.getName())
                .filter(name -> name != null
                        && !name.isBlank()
                        && lookup.secret(namespace, name).isEmpty())
                .toList();
        if (missing.isEmpty()) {
            return "";
        }
        return "The imagePullSecrets " + String.join(", ", missing) + " of ServiceAccount " + accountName
                + " do not exist in namespace " + namespace
                + " and were skipped, as the kubelet skips them: create them, or remove them from the ServiceAccount.";
    }

    public RegistryAccess read(HelmOciChart resource) {
        String namespace = resource.getMetadata().getNamespace();
        HelmOciChartSpec spec = resource.getSpec();
        boolean plainHttp = Boolean.TRUE.equals(spec.getInsecure());

        String username = null;
        String password = null;
        ObjectNode auths = JSON.createObjectNode();
        if (spec.getSecretRef() != null) {
            Secret secret = requireSecret(namespace, spec.getSecretRef().getName(), "spec.secretRef");
            if (TYPE_BASIC_AUTH.equals(secret.getType())) {
                username = requireString(secret, "username");
                password = requireString(secret, "password");
            } else {
                mergeAuths(auths, dockerAuths(secret, "spec.secretRef"));
            }
        }
        if (spec.getServiceAccountName() != null
                && !spec.getServiceAccountName().isBlank()) {
            for (Secret pullSecret : imagePullSecrets(namespace, spec.getServiceAccountName())) {
                mergeAuths(
                        auths,
                        dockerAuths(
                                pullSecret, "an imagePullSecret of ServiceAccount " + spec.getServiceAccountName()));
            }
        }
        String dockerConfig = auths.isEmpty()
                ? null
                : JSON.createObjectNode().set("auths", auths).toString();

        String ca = null;
        String cert = null;
        String key = null;
        if (spec.getCertSecretRef() != null) {
            Secret secret = requireSecret(namespace, spec.getCertSecretRef().getName(), "spec.certSecretRef");
            ca = optionalString(secret, KEY_CA);
            cert = optionalString(secret, KEY_CERT);
            key = optionalString(secret, KEY_KEY);
            if (ca == null && cert == null) {
                throw invalid(
                        secret,
                        "has neither " + KEY_CA + " nor " + KEY_CERT + ": add the registry's CA certificate as "
                                + KEY_CA);
            }
            if ((cert == null) != (key == null)) {
                throw invalid(
                        secret, "needs both " + KEY_CERT + " and " + KEY_KEY + " for a client certificate, or neither");
            }
        }
        ProxyAccess proxy = spec.getProxySecretRef() == null
                ? null
                : proxy(requireSecret(namespace, spec.getProxySecretRef().getName(), "spec.proxySecretRef"));
        return new RegistryAccess(dockerConfig, username, password, ca, cert, key, plainHttp, proxy);
    }

    /**
     * Flux's proxy Secret: {@code address}, optionally {@code username} and {@code password}. The
     * address's form is checked where it is used (an unusable one is {@code ProxyConfigurationInvalid}).
     */
    private static ProxyAccess proxy(Secret secret) {
        String address = requireString(secret, KEY_PROXY_ADDRESS);
        String user = optionalString(secret, KEY_PROXY_USERNAME);
        String pass = optionalString(secret, KEY_PROXY_PASSWORD);
        if ((user == null) != (pass == null)) {
            throw invalid(
                    secret,
                    "has only one of " + KEY_PROXY_USERNAME + " and " + KEY_PROXY_PASSWORD
                            + ": give both for an authenticating proxy, or neither");
        }
        return new ProxyAccess(address, user, pass);
    }

    private List<Secret> imagePullSecrets(String namespace, String serviceAccountName) {
        ServiceAccount account = lookup.serviceAccount(namespace, serviceAccountName)
                .orElseThrow(() -> new ReconcileException(
                        ConditionReasons.SERVICE_ACCOUNT_NOT_FOUND,
                        "ServiceAccount " + serviceAccountName
                                + " (spec.serviceAccountName) does not exist in namespace " + namespace
                                + ": create it, or fix the name.",
                        Disposition.WAIT));
        List<Secret> secrets = new ArrayList<>();
        if (account.getImagePullSecrets() != null) {
            for (LocalObjectReference reference : account.getImagePullSecrets()) {
                if (reference == null
                        || reference.getName() == null
                        || reference.getName().isBlank()) {
                    continue;
                }
                // As the kubelet: a missing pull secret is skipped, the others are used.
                lookup.secret(namespace, reference.getName()).ifPresent(secrets::add);
            }
        }
        return secrets;
    }

    private Secret requireSecret(String namespace, String name, String referencedBy) {
        return lookup.secret(namespace, name)
                .orElseThrow(() -> new ReconcileException(
                        ConditionReasons.SECRET_NOT_FOUND,
                        "Secret " + name + " (" + referencedBy + ") does not exist in namespace " + namespace
                                + ": create it there (Secrets are never read from other namespaces).",
                        Disposition.WAIT));
    }

    /** The "auths" object of a dockerconfigjson or dockercfg Secret. */
    private static JsonNode dockerAuths(Secret secret, String referencedBy) {
        String type = secret.getType();
        if (TYPE_DOCKER_CONFIG_JSON.equals(type)) {
            JsonNode auths = parseJson(secret, KEY_DOCKER_CONFIG_JSON).path("auths");
            if (!auths.isObject()) {
                throw invalid(secret, "has no \"auths\" object in " + KEY_DOCKER_CONFIG_JSON);
            }
            return auths;
        }
        if (TYPE_DOCKERCFG.equals(type)) {
            return parseJson(secret, KEY_DOCKERCFG); // the legacy format is the "auths" object itself
        }
        throw invalid(
                secret,
                "(" + referencedBy + ") has type " + type + "; use " + TYPE_DOCKER_CONFIG_JSON + ", " + TYPE_DOCKERCFG
                        + (referencedBy.startsWith("spec.secretRef") ? " or " + TYPE_BASIC_AUTH : ""));
    }

    /** Earlier Secrets win for the same registry, as the kubelet tries imagePullSecrets in order. */
    private static void mergeAuths(ObjectNode into, JsonNode auths) {
        if (!auths.isObject()) {
            return;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = auths.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            if (!into.has(entry.getKey())) {
                into.set(entry.getKey(), entry.getValue());
            }
        }
    }

    private static JsonNode parseJson(Secret secret, String key) {
        String text = requireString(secret, key);
        try {
            JsonNode node = JSON.readTree(text);
            if (node == null || !node.isObject()) {
                throw invalid(secret, "has no JSON object in " + key);
            }
            return node;
        } catch (JsonProcessingException e) {
            throw invalid(secret, "has invalid JSON in " + key); // never echo the content: it holds passwords
        }
    }

    private static String requireString(Secret secret, String key) {
        String value = optionalString(secret, key);
        if (value == null) {
            throw invalid(secret, "of type " + secret.getType() + " lacks the key " + key);
        }
        return value;
    }

    private static String optionalString(Secret secret, String key) {
        if (secret.getData() != null && secret.getData().get(key) != null) {
            try {
                return new String(
                        Base64.getMimeDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw invalid(secret, "has a value for " + key + " that is not base64");
            }
        }
        if (secret.getStringData() != null && secret.getStringData().get(key) != null) {
            return secret.getStringData().get(key);
        }
        return null;
    }

    private static ReconcileException invalid(Secret secret, String problem) {
        return new ReconcileException(
                ConditionReasons.INVALID_SECRET,
                "Secret " + secret.getMetadata().getName() + " " + problem + ".",
                Disposition.WAIT);
    }
}
