package io.helmoci.operator.identity;

/** Short-lived tokens for a ServiceAccount (the TokenRequest API). */
public interface ServiceAccountTokens {
    /**
     * A token of ServiceAccount {@code name} in {@code namespace} for {@code audience}. Throws a
     * {@link io.helmoci.operator.ReconcileException} naming the fix when the API server refuses.
     */
    String request(String namespace, String name, String audience);
}
