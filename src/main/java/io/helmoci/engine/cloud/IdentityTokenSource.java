package io.helmoci.engine.cloud;

/**
 * Supplies a workload identity (OIDC) token on demand: a Kubernetes ServiceAccount token from the
 * TokenRequest API, or the projected token file of the process. Called only when registry
 * credentials must be (re)exchanged, so a short-lived token is requested fresh each time.
 */
@FunctionalInterface
public interface IdentityTokenSource {
    /** The token; throws {@link io.helmoci.engine.EngineException} naming the fix when none can be had. */
    String token();
}
