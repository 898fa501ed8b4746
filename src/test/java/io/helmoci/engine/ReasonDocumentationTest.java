package io.helmoci.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The README's table of error reasons stays complete and in step with {@link Reason}. */
class ReasonDocumentationTest {
    @ParameterizedTest
    @EnumSource(Reason.class)
    void everyReasonIsInTheReadmeWithItsMeaning(Reason reason) throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        assertThat(readme)
                .contains("| `" + reason.name() + "` | " + (reason.retryable() ? "yes" : "no") + " | "
                        + reason.meaning() + " |");
    }
}
