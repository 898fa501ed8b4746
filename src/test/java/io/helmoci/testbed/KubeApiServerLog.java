package io.helmoci.testbed;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.jboss.logmanager.LogContext;

/**
 * The last lines the kube-apiserver process printed. kube-api-test pipes them to an SLF4J logger at
 * DEBUG (SLF4J goes to the JBoss LogManager here), so we enable that one logger, keep its lines in
 * memory instead of on the console, and hand them out when a test fails.
 */
final class KubeApiServerLog {
    private static final String LOGGER = "io.fabric8.kubeapitest.process.KubeAPIServerProcess.APIServerProcessLogs";
    private static final int MAX_LINES = 150;

    private static final Deque<String> lines = new ArrayDeque<>();
    // Held strongly so the logger's level and handler are not lost to garbage collection.
    private static Logger logger;

    private KubeApiServerLog() {}

    static synchronized void capture() {
        if (logger != null) {
            return;
        }
        logger = LogContext.getLogContext().getLogger(LOGGER);
        logger.setUseParentHandlers(false);
        logger.setLevel(Level.ALL);
        logger.addHandler(new Handler() {
            @Override
            public void publish(LogRecord record) {
                add(record.getMessage());
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        });
    }

    private static synchronized void add(String line) {
        if (lines.size() == MAX_LINES) {
            lines.removeFirst();
        }
        lines.addLast(line);
    }

    /** The most recent lines, oldest first, or a note that there are none. */
    static synchronized String tail() {
        return lines.isEmpty() ? "(kube-apiserver printed nothing)" : String.join("\n", lines);
    }

    /** A stack-trace-free throwable carrying the log, to attach to a failure as a suppressed exception. */
    static Throwable asThrowable() {
        return new Recent();
    }

    static final class Recent extends Throwable {
        private Recent() {
            super("kube-apiserver log, last " + MAX_LINES + " lines at most:\n" + tail(), null, false, false);
        }
    }
}
