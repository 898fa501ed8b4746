package io.helmoci.testbed;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * An extension that adds the log of the real component it runs to every failure of a test or
 * lifecycle method, so a red test shows what the registry or API server said.
 */
interface AttachesLogOnFailure extends TestExecutionExceptionHandler, LifecycleMethodExecutionExceptionHandler {
    /** Returns {@code failure} with the component's log attached (as a suppressed exception). */
    Throwable attachLog(Throwable failure);

    @Override
    default void handleTestExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
        throw attachLog(failure);
    }

    @Override
    default void handleBeforeAllMethodExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
        throw attachLog(failure);
    }

    @Override
    default void handleBeforeEachMethodExecutionException(ExtensionContext context, Throwable failure)
            throws Throwable {
        throw attachLog(failure);
    }

    @Override
    default void handleAfterEachMethodExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
        throw attachLog(failure);
    }

    @Override
    default void handleAfterAllMethodExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
        throw attachLog(failure);
    }
}
