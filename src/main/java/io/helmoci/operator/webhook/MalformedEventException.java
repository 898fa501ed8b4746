package io.helmoci.operator.webhook;

/** The body is not an event of the receiver's type (answered 400; nothing is triggered). */
public class MalformedEventException extends RuntimeException {
    public MalformedEventException(String message) {
        super(message);
    }
}
