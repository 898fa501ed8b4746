package io.helmoci.operator.reconciler;

import io.fabric8.kubernetes.api.model.Condition;
import io.helmoci.operator.ConditionReasons;
import io.helmoci.operator.Constants;
import io.helmoci.operator.ReconcileException;
import io.helmoci.operator.api.v1alpha1.HelmOciChart;
import java.util.Objects;
import org.jboss.logging.Logger;

/**
 * Logs a failed reconciliation once per change, as events are recorded: a failure whose reason and
 * message equal the resource's current Ready condition (a retry of the same failure) goes to DEBUG
 * only. Messages are capped as status messages are, so a registry's long error body never floods
 * the log; an internal error keeps its stack trace, once per change.
 */
final class FailureLogging {
    /** As the status builder caps condition messages. */
    static final int MAX_MESSAGE = 1024;

    private static final Logger LOG = Logger.getLogger(HelmOciChartReconciler.class);

    private FailureLogging() {}

    static void log(HelmOciChart resource, ReconcileException failure, Exception thrown) {
        String id = resource.getMetadata().getNamespace() + "/"
                + resource.getMetadata().getName();
        String message = capped(failure.getMessage());
        if (!isNews(resource, failure)) {
            LOG.debugf("Reconciling %s failed again: %s: %s", id, failure.reason(), message);
        } else if (failure.reason().equals(ConditionReasons.INTERNAL_ERROR)) {
            LOG.errorf(thrown, "Reconciling %s failed unexpectedly", id);
        } else {
            LOG.infof("Reconciling %s failed: %s: %s", id, failure.reason(), message);
        }
    }

    /** Whether the failure differs from what the resource's Ready condition says now. */
    static boolean isNews(HelmOciChart resource, ReconcileException failure) {
        if (resource.getStatus() == null || resource.getStatus().getConditions() == null) {
            return true;
        }
        String shown = capped(failure.getMessage());
        return resource.getStatus().getConditions().stream()
                .filter(c -> Constants.CONDITION_READY.equals(c.getType()))
                .noneMatch(c -> failure.reason().equals(c.getReason()) && sameMessage(c, shown));
    }

    private static boolean sameMessage(Condition condition, String shown) {
        return Objects.equals(capped(condition.getMessage()), shown);
    }

    static String capped(String message) {
        if (message == null) {
            return "";
        }
        return message.length() > MAX_MESSAGE ? message.substring(0, MAX_MESSAGE - 1) + "…" : message;
    }
}
