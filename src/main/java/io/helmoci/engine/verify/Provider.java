package io.helmoci.engine.verify;

import io.helmoci.engine.EngineException;
import io.helmoci.engine.Reason;
import java.util.Locale;

/** Who signs charts and how: the three signature kinds the engine verifies. Names as Flux spells them. */
public enum Provider {
    /** Sigstore cosign: a Sigstore bundle referrer (cosign v3 default) or the legacy {@code sha256-<hex>.sig} tag. */
    COSIGN,
    /** Notary Project notation: a JWS envelope referrer, checked against a notation trust policy and trust store. */
    NOTATION,
    /** Helm provenance: the OpenPGP clear-signed {@code .prov} layer that {@code helm push} uploads beside the chart. */
    HELM;

    /** The lower-case name used in flags, JSON and resources. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Provider parse(String text) {
        for (Provider provider : values()) {
            if (provider.id().equalsIgnoreCase(text == null ? "" : text.trim())) {
                return provider;
            }
        }
        throw new EngineException(
                Reason.VerificationPolicyInvalid,
                "Unknown signature provider '" + text + "'. Use cosign, notation or helm.");
    }
}
