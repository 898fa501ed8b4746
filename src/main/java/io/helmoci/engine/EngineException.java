package io.helmoci.engine;

import java.util.Objects;

/**
 * The one exception the engine throws for anything a user can act on. The message says what went
 * wrong and what to do; it never contains credentials or tokens.
 */
public class EngineException extends RuntimeException {
    private final Reason reason;

    public EngineException(Reason reason, String message) {
        this(reason, message, null);
    }

    public EngineException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public Reason reason() {
        return reason;
    }

    @Override
    public String toString() {
        return reason + ": " + getMessage();
    }
}
