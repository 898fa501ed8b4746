package io.helmoci.engine.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.helmoci.engine.EngineException;
import io.helmoci.engine.Reason;
import io.helmoci.engine.reference.OciReference;
import io.helmoci.testbed.ScriptedHttpServer;
import java.time.Duration;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** Shared settings for the transport unit tests against {@link ScriptedHttpServer}. */
final class TransportFixtures {
    static final RetryPolicy FAST_RETRY = new RetryPolicy(
            3, Duration.ofMillis(10), 0.1, Duration.ofMillis(5), Duration.ofMillis(40), Duration.ofSeconds(5));
    static final TransportOptions PLAIN = TransportOptions.builder()
            .plainHttp(true)
            .retry(FAST_RETRY)
            .timeouts(Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(20))
            .build();
    static final Map<String, String> JSON = Map.of("Content-Type", "application/json");

    private TransportFixtures() {}

    static RegistryOptions plain(Credentials credentials) {
        return new RegistryOptions(credentials, PLAIN);
    }

    static OciReference ref(ScriptedHttpServer server) {
        return new OciReference(server.hostPort(), "charts/app", "1.0.0", null);
    }

    static EngineException failure(Reason expected, ThrowingCallable call) {
        EngineException e = catchThrowableOfType(EngineException.class, call);
        assertThat(e).as("expected an EngineException " + expected).isNotNull();
        assertThat(e.reason()).as(e.getMessage()).isEqualTo(expected);
        return e;
    }
}
