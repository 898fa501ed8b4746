package io.helmoci.engine.verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.helmoci.engine.Reason;
import java.io.IOException;

/**
 * One signature refused while a verifier checks the signatures of a chart; the verifier notes the
 * reason and goes on with the next signature. Shared by the cosign and notation verifiers.
 */
final class SignatureRefusedException extends RuntimeException {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Reason reason;

    SignatureRefusedException(Reason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    Reason reason() {
        return reason;
    }

    /** The bytes as a JSON object, or a {@link Reason#SignatureInvalid} refusal naming {@code what}. */
    static JsonNode jsonObject(byte[] bytes, String what) {
        try {
            JsonNode node = JSON.readTree(bytes);
            if (node != null && node.isObject()) {
                return node;
            }
        } catch (IOException e) {
            // refused below
        }
        throw new SignatureRefusedException(Reason.SignatureInvalid, what + " is not a JSON object");
    }
}
