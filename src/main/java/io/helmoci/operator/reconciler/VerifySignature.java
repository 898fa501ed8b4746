package io.helmoci.operator.reconciler;

import io.fabric8.kubernetes.api.model.Secret;
import io.helmoci.engine.Reason;
import io.helmoci.engine.verify.Provider;
import io.helmoci.engine.verify.VerificationPolicy;
import io.helmoci.engine.verify.VerificationResult;
import io.helmoci.operator.ConditionReasons;
import io.helmoci.operator.ReconcileException;
import io.helmoci.operator.ReconcileException.Disposition;
import io.helmoci.operator.api.v1alpha1.HelmOciChart;
import io.helmoci.operator.api.v1alpha1.Verification;
import io.helmoci.operator.api.v1alpha1.VerificationStatus;
import io.helmoci.operator.source.ChartSource;
import io.helmoci.operator.source.ResolvedChart;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * {@code spec.verify}: the resolved manifest's signature must verify before anything is pulled,
 * stored or published. The result is cached in {@code status.verification} per (manifest digest,
 * policy fingerprint): an unchanged digest under an unchanged policy and Secret costs no request.
 * A failure leaves the last verified artifact served (the status of the last success is kept).
 */
final class VerifySignature implements SyncStep {
    /** The Secret key of a custom Sigstore trusted root, as Sigstore names the file. */
    static final String TRUSTED_ROOT_KEY = "trusted_root.json";

    private final ChartSource source;

    VerifySignature(ChartSource source) {
        this.source = source;
    }

    @Override
    public Optional<ChartSync.Outcome> run(SyncContext context) {
        HelmOciChart resource = context.resource();
        Verification verify = resource.getSpec().getVerify();
        if (verify == null) {
            context.status().verificationNotRequired();
            return CONTINUE;
        }
        VerificationPolicy policy = policy(resource, verify, context);
        String fingerprint = policy.fingerprint();
        ResolvedChart resolved = context.resolved();
        VerificationStatus previous = context.status().previous().getVerification();
        if (previous != null
                && resolved.manifestDigest().equals(previous.getManifestDigest())
                && fingerprint.equals(previous.getPolicy())) {
            return CONTINUE; // verified before under the same policy: no registry request
        }
        VerificationResult result = source.verify(context.request(), resolved, policy);
        context.status().verified(result, fingerprint);
        return CONTINUE;
    }

    /** The policy from the Secret in the resource's namespace, keys chosen by file name as Flux does. */
    static VerificationPolicy policy(HelmOciChart resource, Verification verify, SyncContext context) {
        Provider provider = Provider.parse(verify.getProvider());
        List<VerificationPolicy.IdentityMatcher> identities = verify.getMatchOIDCIdentity() == null
                ? List.of()
                : verify.getMatchOIDCIdentity().stream()
                        .map(m -> new VerificationPolicy.IdentityMatcher(m.getIssuer(), m.getSubject()))
                        .toList();
        if (!identities.isEmpty()) {
            if (provider != Provider.COSIGN) {
                throw invalid("spec.verify.matchOIDCIdentity is for provider cosign (keyless) only; remove it");
            }
            return keylessPolicy(resource, verify, context, identities);
        }
        if (verify.getSecretRef() == null || verify.getSecretRef().getName() == null) {
            throw invalid("spec.verify needs secretRef: a Secret with " + expected(provider)
                    + (provider == Provider.COSIGN ? ", or matchOIDCIdentity for keyless signatures" : ""));
        }
        String name = verify.getSecretRef().getName();
        Map<String, byte[]> data = secretData(resource, name, context, expected(provider));
        return switch (provider) {
            case COSIGN -> VerificationPolicy.cosignKeys(require(endingIn(data, ".pub"), name, provider));
            case HELM -> VerificationPolicy.helm(concat(require(endingIn(data, ".gpg", ".asc"), name, provider)));
            case NOTATION -> {
                byte[] trustPolicy = data.get("trustpolicy.json");
                if (trustPolicy == null) {
                    throw invalid("Secret " + name + " (spec.verify.secretRef) has no trustpolicy.json; give "
                            + expected(provider));
                }
                List<byte[]> certificates = require(endingIn(data, ".crt", ".pem"), name, provider);
                // Every trust store the policy names gets the Secret's certificates (one Secret, as in Flux).
                Map<String, List<byte[]>> stores = new TreeMap<>();
                for (String store : trustStoreNames(trustPolicy)) {
                    stores.put(store, certificates);
                }
                yield VerificationPolicy.notation(trustPolicy, stores);
            }
        };
    }

    /**
     * Cosign keyless: the identities, and the Sigstore trusted root from the Secret's
     * {@code trusted_root.json} (the public-good root shipped with the operator when there is no secretRef).
     */
    private static VerificationPolicy keylessPolicy(
            HelmOciChart resource,
            Verification verify,
            SyncContext context,
            List<VerificationPolicy.IdentityMatcher> identities) {
        if (verify.getSecretRef() == null || verify.getSecretRef().getName() == null) {
            return VerificationPolicy.cosignKeyless(identities, null);
        }
        String name = verify.getSecretRef().getName();
        Map<String, byte[]> data =
                secretData(resource, name, context, "the Sigstore trusted root under trusted_root.json");
        if (!endingIn(data, ".pub").isEmpty()) {
            throw invalid(
                    "Secret " + name + " (spec.verify.secretRef) holds cosign public keys but spec.verify also has"
                            + " matchOIDCIdentity: trust keys (remove matchOIDCIdentity) or keyless identities (remove the .pub keys)");
        }
        byte[] trustedRoot = data.get(TRUSTED_ROOT_KEY);
        if (trustedRoot == null) {
            throw invalid(
                    "Secret " + name + " (spec.verify.secretRef) has no " + TRUSTED_ROOT_KEY
                            + "; give your Sigstore deployment's trusted root there, or remove secretRef to use the public-good instance");
        }
        return VerificationPolicy.cosignKeyless(identities, trustedRoot);
    }

    /** The Secret's data (and stringData) in the resource's namespace. */
    private static Map<String, byte[]> secretData(
            HelmOciChart resource, String name, SyncContext context, String expected) {
        String namespace = resource.getMetadata().getNamespace();
        Secret secret = context.lookup()
                .secret(namespace, name)
                .orElseThrow(() -> new ReconcileException(
                        ConditionReasons.SECRET_NOT_FOUND,
                        "Secret " + name + " (spec.verify.secretRef) does not exist in namespace " + namespace
                                + ": create it there with " + expected + ".",
                        Disposition.WAIT));
        Map<String, byte[]> data = new TreeMap<>();
        if (secret.getData() != null) {
            secret.getData()
                    .forEach((key, value) -> data.put(key, Base64.getDecoder().decode(value)));
        }
        if (secret.getStringData() != null) {
            secret.getStringData().forEach((key, value) -> data.put(key, value.getBytes(StandardCharsets.UTF_8)));
        }
        return data;
    }

    private static List<String> trustStoreNames(byte[] trustPolicy) {
        List<String> names = new ArrayList<>();
        try {
            new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(trustPolicy)
                    .path("trustPolicies")
                    .forEach(p -> p.path("trustStores").forEach(s -> names.add(s.asText())));
        } catch (java.io.IOException e) {
            // the engine reports the malformed policy
        }
        return names;
    }

    private static List<byte[]> endingIn(Map<String, byte[]> data, String... suffixes) {
        List<byte[]> values = new ArrayList<>();
        data.forEach((key, value) -> {
            for (String suffix : suffixes) {
                if (key.endsWith(suffix)) {
                    values.add(value);
                    return;
                }
            }
        });
        return values;
    }

    private static List<byte[]> require(List<byte[]> values, String secret, Provider provider) {
        if (values.isEmpty()) {
            throw invalid("Secret " + secret + " (spec.verify.secretRef) holds nothing for provider " + provider.id()
                    + "; give " + expected(provider));
        }
        return values;
    }

    private static byte[] concat(List<byte[]> parts) {
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        parts.forEach(all::writeBytes);
        return all.toByteArray();
    }

    private static String expected(Provider provider) {
        return switch (provider) {
            case COSIGN -> "the cosign public key(s) under keys ending in .pub";
            case NOTATION -> "trustpolicy.json and the trust store certificates under keys ending in .crt or .pem";
            case HELM -> "the OpenPGP public keyring (gpg --export) under a key ending in .gpg or .asc";
        };
    }

    private static ReconcileException invalid(String message) {
        return new ReconcileException(
                ConditionReasons.of(Reason.VerificationPolicyInvalid), message + ".", Disposition.STALLED);
    }
}
