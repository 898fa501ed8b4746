package io.helmoci.engine.registry;

import io.helmoci.engine.EngineException;
import io.helmoci.engine.Reason;
import java.time.Duration;

/** The end of a whole operation (an inspect or a pull), shared by its requests, retries and waits. */
final class Deadline {
    private final long endNanos;
    private final Duration total;

    private Deadline(Duration total) {
        this.total = total;
        this.endNanos = System.nanoTime() + total.toNanos();
    }

    static Deadline after(Duration total) {
        return new Deadline(total);
    }

    Duration remaining() {
        return Duration.ofNanos(Math.max(0, endNanos - System.nanoTime()));
    }

    boolean expired() {
        return endNanos - System.nanoTime() <= 0;
    }

    Duration total() {
        return total;
    }

    EngineException timeout(String what) {
        return new EngineException(
                Reason.Timeout,
                what + " did not finish within the operation timeout of " + total.toSeconds()
                        + " s. Check the network path to the registry, or raise the timeout.");
    }

    void check(String what) {
        if (expired()) {
            throw timeout(what);
        }
    }
}
