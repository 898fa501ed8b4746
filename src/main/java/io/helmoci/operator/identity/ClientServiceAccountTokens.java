package io.helmoci.operator.identity;

import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.helmoci.operator.ConditionReasons;
import io.helmoci.operator.ReconcileException;
import io.helmoci.operator.ReconcileException.Disposition;
import java.time.Duration;

/** TokenRequest through the operator's client: needs create on serviceaccounts/token, nothing else. */
public final class ClientServiceAccountTokens implements ServiceAccountTokens {
    private final KubernetesClient client;
    private final Duration expiration;

    public ClientServiceAccountTokens(KubernetesClient client, Duration expiration) {
        this.client = client;
        this.expiration = expiration;
    }

    @Override
    public String request(String namespace, String name, String audience) {
        TokenRequest request = new TokenRequestBuilder()
                .withNewSpec()
                .withAudiences(audience)
                .withExpirationSeconds(expiration.toSeconds())
                .endSpec()
                .build();
        try {
            TokenRequest answer = client.serviceAccounts()
                    .inNamespace(namespace)
                    .withName(name)
                    .tokenRequest(request);
            if (answer == null
                    || answer.getStatus() == null
                    || answer.getStatus().getToken() == null) {
                throw new ReconcileException(
                        ConditionReasons.IDENTITY_TOKEN_DENIED,
                        "The API server answered the token request for ServiceAccount " + name + " without a token.",
                        Disposition.RETRY);
            }
            return answer.getStatus().getToken();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                throw new ReconcileException(
                        ConditionReasons.SERVICE_ACCOUNT_NOT_FOUND,
                        "ServiceAccount " + name + " (spec.serviceAccountName) does not exist in namespace " + namespace
                                + ": create it, or fix the name.",
                        Disposition.WAIT);
            }
            if (e.getCode() == 403 || e.getCode() == 401) {
                throw new ReconcileException(
                        ConditionReasons.IDENTITY_TOKEN_DENIED,
                        "The API server refused the operator a token for ServiceAccount " + name + " in namespace "
                                + namespace + " (HTTP " + e.getCode()
                                + "): grant the operator's ServiceAccount create on serviceaccounts/token"
                                + " (the chart's ClusterRole has it).",
                        Disposition.WAIT);
            }
            throw new ReconcileException(
                    ConditionReasons.IDENTITY_TOKEN_DENIED,
                    "The token request for ServiceAccount " + name + " in namespace " + namespace + " failed (HTTP "
                            + e.getCode() + "); it is retried.",
                    Disposition.RETRY);
        }
    }
}
