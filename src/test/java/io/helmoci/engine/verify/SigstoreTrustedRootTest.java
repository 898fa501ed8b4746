package io.helmoci.engine.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.helmoci.engine.EngineException;
import io.helmoci.engine.Reason;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Sigstore trusted root and the keyless policy checks that need no registry. */
class SigstoreTrustedRootTest {
    @Test
    void thePublicGoodRootShipsWithFulcioAndATimestampAuthority() {
        SigstoreTrustedRoot root = SigstoreTrustedRoot.publicGood();

        assertThat(root.certificateAuthorities())
                .hasSize(2)
                .allSatisfy(ca -> assertThat(ca.name()).isEqualTo("https://fulcio.sigstore.dev"));
        // The first Fulcio root was retired at the end of 2022; the second one is valid from April 2022 on.
        assertThat(root.certificateAuthorities().get(0).validAt(Instant.parse("2024-01-01T00:00:00Z")))
                .isFalse();
        assertThat(root.certificateAuthorities().get(1).validAt(Instant.parse("2024-01-01T00:00:00Z")))
                .isTrue();
        assertThat(root.timestampAuthorities()).isNotEmpty();
        assertThat(root.transparencyLogs()).isPositive();
    }

    @Test
    void anEnvironmentVariableReplacesTheShippedRootWithoutARelease(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        byte[] shipped;
        try (var in = SigstoreTrustedRoot.class.getResourceAsStream(SigstoreTrustedRoot.PUBLIC_GOOD_RESOURCE)) {
            shipped = in.readAllBytes();
        }
        // A "newer" root: the shipped one without its retired first Fulcio authority.
        com.fasterxml.jackson.databind.node.ObjectNode root = (com.fasterxml.jackson.databind.node.ObjectNode)
                new com.fasterxml.jackson.databind.ObjectMapper().readTree(shipped);
        ((com.fasterxml.jackson.databind.node.ArrayNode) root.get("certificateAuthorities")).remove(0);
        Path file =
                Files.write(dir.resolve("trusted_root.json"), root.toString().getBytes(StandardCharsets.UTF_8));

        assertThat(SigstoreTrustedRoot.defaultRoot(name -> null).certificateAuthorities())
                .hasSize(2);
        assertThat(SigstoreTrustedRoot.defaultRoot(
                                name -> SigstoreTrustedRoot.ROOT_FILE_ENV.equals(name) ? file.toString() : null)
                        .certificateAuthorities())
                .hasSize(1);
        EngineException missing = catchThrowableOfType(
                EngineException.class,
                () -> SigstoreTrustedRoot.defaultRoot(
                        name -> dir.resolve("absent.json").toString()));
        assertThat(missing.reason()).isEqualTo(Reason.VerificationPolicyInvalid);
        assertThat(missing.getMessage()).contains(SigstoreTrustedRoot.ROOT_FILE_ENV);
    }

    @Test
    void aMalformedTrustedRootIsAPolicyErrorThatSaysWhatToGive() {
        for (String json : List.of(
                "not json",
                "{\"mediaType\": \"application/json\"}",
                "{\"mediaType\": \"application/vnd.dev.sigstore.trustedroot+json;version=0.1\"}",
                "{\"mediaType\": \"application/vnd.dev.sigstore.trustedroot+json;version=0.1\", \"certificateAuthorities\":"
                        + " [{\"certChain\": {\"certificates\": [{\"rawBytes\": \"bm90IGEgY2VydA==\"}]},"
                        + " \"validFor\": {\"start\": \"2020-01-01T00:00:00Z\"}}]}")) {
            EngineException e = catchThrowableOfType(
                    EngineException.class, () -> SigstoreTrustedRoot.parse(json.getBytes(StandardCharsets.UTF_8)));
            assertThat(e.reason()).as(json).isEqualTo(Reason.VerificationPolicyInvalid);
            assertThat(e.getMessage()).contains("trusted_root.json").contains("public-good");
        }
    }

    @Test
    void keylessPoliciesNeedAValidIdentityAndTrustEitherKeysOrIdentities() {
        EngineException none = catchThrowableOfType(
                EngineException.class,
                () -> SignatureVerifier.forPolicy(
                        VerificationPolicy.cosignKeyless(List.of(), "{}".getBytes(StandardCharsets.UTF_8))));
        assertThat(none.reason()).isEqualTo(Reason.VerificationPolicyInvalid);
        assertThat(none.getMessage()).contains("--certificate-identity-regexp");

        EngineException badRegex = catchThrowableOfType(
                EngineException.class,
                () -> SignatureVerifier.forPolicy(VerificationPolicy.cosignKeyless(
                        List.of(new VerificationPolicy.IdentityMatcher("https://issuer", "(unclosed")), null)));
        assertThat(badRegex.getMessage()).contains("(unclosed");

        EngineException noIssuer = catchThrowableOfType(
                EngineException.class,
                () -> SignatureVerifier.forPolicy(VerificationPolicy.cosignKeyless(
                        List.of(new VerificationPolicy.IdentityMatcher(null, "me@example.test")), null)));
        assertThat(noIssuer.getMessage()).contains("OIDC issuer");

        EngineException both = catchThrowableOfType(
                EngineException.class,
                () -> SignatureVerifier.forPolicy(new VerificationPolicy(
                        Provider.COSIGN,
                        List.of("key".getBytes(StandardCharsets.UTF_8)),
                        List.of(new VerificationPolicy.IdentityMatcher(".*", ".*")),
                        null,
                        null,
                        null,
                        null)));
        assertThat(both.getMessage()).contains("not both");

        // The public-good root when none is given.
        assertThat(SignatureVerifier.forPolicy(VerificationPolicy.cosignKeyless(
                        List.of(new VerificationPolicy.IdentityMatcher(
                                "^https://token\\.actions\\.githubusercontent\\.com$", "^https://github\\.com/org/")),
                        null)))
                .isNotNull();
    }
}
