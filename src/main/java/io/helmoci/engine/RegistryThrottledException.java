package io.helmoci.engine;

import java.time.Instant;

/** {@link Reason#RateLimited} with the time the registry may be asked again: callers retry then, not sooner. */
public final class RegistryThrottledException extends EngineException {
    private final Instant retryAt;

    public RegistryThrottledException(String message, Instant retryAt) {
        super(Reason.RateLimited, message);
        this.retryAt = retryAt;
    }

    /** When this registry takes requests again (from its Retry-After, or our default pause). */
    public Instant retryAt() {
        return retryAt;
    }
}
