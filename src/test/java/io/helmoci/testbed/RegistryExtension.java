package io.helmoci.testbed;

import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * {@link RegistryFixture} as a JUnit 5 extension. As a {@code static} field it starts before all
 * tests of the class and stops after them (and is started again before a test if an earlier one
 * stopped it); as an instance field, around each test. When a test or
 * a lifecycle method fails, the registry log (and token-server requests) are attached to the
 * failure as a suppressed exception, so they show in the test report.
 *
 * <pre>{@code
 * @RegisterExtension
 * static RegistryExtension registry = RegistryFixture.builder(RegistryImplementation.DISTRIBUTION_V3)
 *         .htpasswd().user("alice", "secret").extension();
 * }</pre>
 */
public final class RegistryExtension extends RegistryFixture
        implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback, AttachesLogOnFailure {
    private static final int LOG_LINES_ATTACHED = 200;
    private boolean perClass;

    RegistryExtension(Builder builder) {
        super(builder);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        perClass = true;
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    /** Also restarts a per-class registry that an earlier test stopped or killed, so tests stay independent. */
    @Override
    public void beforeEach(ExtensionContext context) {
        start();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (!perClass) {
            close();
        }
    }

    @Override
    public Throwable attachLog(Throwable throwable) {
        return withLogAttached(throwable);
    }

    /** Carries the registry log into the failure report; it has no stack trace of its own. */
    static final class RegistryLog extends RuntimeException {
        private final transient RegistryFixture fixture;

        RegistryLog(RegistryFixture fixture) {
            super(describe(fixture), null, false, false);
            this.fixture = fixture;
        }

        RegistryFixture fixture() {
            return fixture;
        }

        private static String describe(RegistryFixture fixture) {
            List<String> lines = fixture.logs().lines().toList();
            String tail = lines.subList(Math.max(0, lines.size() - LOG_LINES_ATTACHED), lines.size()).stream()
                    .collect(Collectors.joining("\n"));
            StringBuilder text = new StringBuilder(fixture + ", log (last " + LOG_LINES_ATTACHED + " lines):\n" + tail);
            if (fixture.authMode() == AuthMode.TOKEN && fixture.isRunning()) {
                text.append("\n--- token requests\n");
                fixture.tokenServer().requests().forEach(r -> text.append(r).append('\n'));
            }
            return text.toString();
        }
    }
}
