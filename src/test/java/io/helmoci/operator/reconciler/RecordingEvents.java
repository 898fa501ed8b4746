package io.helmoci.operator.reconciler;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.helmoci.operator.events.EventRecorder;

import java.util.ArrayList;
import java.util.List;

/** Keeps the events a test's reconciliations emitted. */
final class RecordingEvents implements EventRecorder {
    record Recorded(String type, String reason, String message) {
    }

    final List<Recorded> events = new ArrayList<>();

    @Override
    public void normal(HasMetadata resource, String reason, String message) {
        events.add(new Recorded("Normal", reason, message));
    }

    @Override
    public void warning(HasMetadata resource, String reason, String message) {
        events.add(new Recorded("Warning", reason, message));
    }

    List<String> reasons() {
        return events.stream().map(Recorded::reason).toList();
    }

    void clear() {
        events.clear();
    }
}
