package io.helmoci.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.helmoci.engine.reference.OciReference;
import io.helmoci.engine.registry.Credentials;
import io.helmoci.engine.registry.RegistryOptions;
import io.helmoci.engine.registry.TransportOptions;
import io.helmoci.testbed.RegistryFixture;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** How the engine ITs point a {@link ChartPuller} at a test-bed registry. */
final class PullerTestbed {
    private PullerTestbed() {}

    /** Plain HTTP for an HTTP registry; the test CA (and nothing else) for a TLS one. Short timeouts. */
    static TransportOptions transport(RegistryFixture registry) {
        TransportOptions options = TransportOptions.builder()
                .timeouts(Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofMinutes(3))
                .build();
        if (!registry.isTls()) {
            return options.toBuilder().plainHttp(true).build();
        }
        try {
            return options.toBuilder()
                    .caCertificates(Files.readString(registry.caFile()))
                    .build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static RegistryOptions options(RegistryFixture registry, Credentials credentials) {
        return new RegistryOptions(credentials, transport(registry));
    }

    static OciReference ref(RegistryFixture registry, String repoPathAndTag) {
        return OciReference.parse(registry.ociUrl(repoPathAndTag));
    }

    static PullRequest request(RegistryFixture registry, String repoPathAndTag, Credentials credentials) {
        return PullRequest.of(ref(registry, repoPathAndTag), options(registry, credentials));
    }

    static EngineException failure(Reason expected, ThrowingCallable call) {
        EngineException e = catchThrowableOfType(EngineException.class, call);
        assertThat(e).as("expected an EngineException with reason " + expected).isNotNull();
        assertThat(e.reason()).as(e.getMessage()).isEqualTo(expected);
        System.out.println("engine error: " + e); // the messages users would see, for review in the test log
        return e;
    }
}
