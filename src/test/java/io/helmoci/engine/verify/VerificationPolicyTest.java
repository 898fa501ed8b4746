package io.helmoci.engine.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.helmoci.engine.EngineException;
import io.helmoci.engine.Reason;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Policy parsing and the parts of verification that need no registry. */
class VerificationPolicyTest {
    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static final String POLICY = """
            {"version": "1.0", "trustPolicies": [
              {"name": "charts", "registryScopes": ["127.0.0.1:5000/charts/app"],
               "signatureVerification": {"level": "permissive", "override": {"expiry": "enforce"}},
               "trustStores": ["ca:publisher"], "trustedIdentities": ["x509.subject: C=US, ST=WA, O=Notary, CN=publisher"]},
              {"name": "everything else", "registryScopes": ["*"], "signatureVerification": {"level": "skip"}}]}
            """;

    @Test
    void theFingerprintFollowsTheContentNotTheInstances() {
        VerificationPolicy a = VerificationPolicy.cosignKeys(List.of(bytes("key one")));
        VerificationPolicy b = VerificationPolicy.cosignKeys(List.of(bytes("key one")));
        VerificationPolicy c = VerificationPolicy.cosignKeys(List.of(bytes("key two")));
        assertThat(a.fingerprint())
                .isEqualTo(b.fingerprint())
                .isNotEqualTo(c.fingerprint())
                .startsWith("sha256:");
        assertThat(VerificationPolicy.helm(bytes("key one")).fingerprint()).isNotEqualTo(a.fingerprint());
        assertThat(VerificationPolicy.notation(bytes(POLICY), Map.of("ca:a", List.of(bytes("x"))))
                        .fingerprint())
                .isNotEqualTo(VerificationPolicy.notation(bytes(POLICY), Map.of("ca:b", List.of(bytes("x"))))
                        .fingerprint());
    }

    @Test
    void notationLevelsSetEachCheckAsNotationDefinesThem() {
        NotationTrustPolicy policy = NotationTrustPolicy.parse(bytes(POLICY));
        NotationTrustPolicy.Statement exact = policy.applicableTo("127.0.0.1:5000/charts/app");
        assertThat(exact.name()).isEqualTo("charts");
        assertThat(exact.action(NotationTrustPolicy.Check.INTEGRITY)).isEqualTo(NotationTrustPolicy.Action.ENFORCE);
        assertThat(exact.action(NotationTrustPolicy.Check.AUTHENTICITY)).isEqualTo(NotationTrustPolicy.Action.ENFORCE);
        assertThat(exact.action(NotationTrustPolicy.Check.AUTHENTIC_TIMESTAMP))
                .isEqualTo(NotationTrustPolicy.Action.LOG);
        assertThat(exact.action(NotationTrustPolicy.Check.EXPIRY))
                .as("overridden")
                .isEqualTo(NotationTrustPolicy.Action.ENFORCE);
        assertThat(exact.action(NotationTrustPolicy.Check.REVOCATION)).isEqualTo(NotationTrustPolicy.Action.LOG);
        NotationTrustPolicy.Statement wildcard = policy.applicableTo("127.0.0.1:5000/charts/other");
        assertThat(wildcard.level()).isEqualTo("skip");
        assertThat(wildcard.action(NotationTrustPolicy.Check.INTEGRITY)).isEqualTo(NotationTrustPolicy.Action.SKIP);
    }

    @Test
    void malformedNotationPoliciesAreRefusedWithWhatIsWrong() {
        assertMalformed("{}", "version");
        assertMalformed("not json", "not JSON");
        assertMalformed(POLICY.replace("permissive", "lenient"), "lenient");
        assertMalformed(POLICY.replace("\"expiry\": \"enforce\"", "\"integrity\": \"skip\""), "integrity");
        assertMalformed(POLICY.replace("\"ca:publisher\"", "\"publisher\""), "trust store");
        assertMalformed(POLICY.replace("\"*\"", "\"127.0.0.1:5000/charts/app\""), "more than one statement");
        assertMalformed(POLICY.replace("x509.subject: ", "subject="), "trusted identity");
        assertMalformed(
                POLICY.replace("C=US, ST=WA, O=Notary, CN=publisher", "O=Notary, CN=publisher"), "C, ST (or S) and O");
        EngineException noScope = catchThrowableOfType(
                EngineException.class,
                () -> NotationTrustPolicy.parse(bytes(POLICY.replace("\"*\"", "\"127.0.0.1:5000/charts/elsewhere\"")))
                        .applicableTo("127.0.0.1:5000/charts/other"));
        assertThat(noScope.reason()).isEqualTo(Reason.VerificationPolicyInvalid);
        assertThat(noScope.getMessage()).contains("127.0.0.1:5000/charts/other").contains("registryScopes");
    }

    private static void assertMalformed(String policy, String mentions) {
        EngineException e = catchThrowableOfType(EngineException.class, () -> NotationTrustPolicy.parse(bytes(policy)));
        assertThat(e).as(policy).isNotNull();
        assertThat(e.reason()).isEqualTo(Reason.VerificationPolicyInvalid);
        assertThat(e.getMessage()).contains(mentions);
    }

    @Test
    void dssePreAuthenticationEncodingIsTheSpecExample() {
        // secure-systems-lab/dsse protocol.md: PAE("http://example.com/HelloWorld", "hello world")
        assertThat(new String(
                        CosignVerifier.pae("http://example.com/HelloWorld", bytes("hello world")),
                        StandardCharsets.UTF_8))
                .isEqualTo("DSSEv1 29 http://example.com/HelloWorld 11 hello world");
    }

    @Test
    void cosignKeysMustBePemPublicKeys() {
        EngineException e = catchThrowableOfType(
                EngineException.class,
                () -> SignatureVerifier.forPolicy(VerificationPolicy.cosignKeys(
                        List.of(bytes("-----BEGIN PRIVATE KEY-----\nAA==\n-----END PRIVATE KEY-----")))));
        assertThat(e.reason()).isEqualTo(Reason.VerificationPolicyInvalid);
        assertThat(e.getMessage()).contains("cosign.pub");
        EngineException none = catchThrowableOfType(
                EngineException.class, () -> SignatureVerifier.forPolicy(VerificationPolicy.cosignKeys(List.of())));
        assertThat(none.reason()).isEqualTo(Reason.VerificationPolicyInvalid);
    }
}
