package io.helmoci.operator.reconciler;

import io.fabric8.kubernetes.api.model.Condition;
import io.helmoci.operator.ConditionReasons;
import io.helmoci.operator.Constants;
import io.helmoci.operator.events.EventRecorder;
import io.helmoci.operator.source.ResolvedChart;
import java.util.Optional;

/**
 * Problems the resolution worked around (a legacy chart layer type, an image index) reach the user:
 * a Warning event when they are new, and the Ready message (see {@link ChartSync#readyMessage}) for
 * as long as they last.
 */
record ReportResolutionWarnings(EventRecorder events) implements SyncStep {
    @Override
    public Optional<ChartSync.Outcome> run(SyncContext context) {
        ResolvedChart resolved = context.resolved();
        if (resolved.warnings().isEmpty()) {
            return CONTINUE;
        }
        String warnings = String.join(" ", resolved.warnings());
        boolean alreadyShown = context.status()
                .previousCondition(Constants.CONDITION_READY)
                .map(Condition::getMessage)
                .filter(message -> message.contains(warnings))
                .isPresent();
        if (!alreadyShown) { // once, not on every check
            events.warning(
                    context.resource(),
                    ConditionReasons.EVENT_RESOLUTION_WARNING,
                    "Resolved " + context.resource().getSpec().getUrl() + " " + resolved.version() + " with a warning: "
                            + warnings);
        }
        return CONTINUE;
    }
}
