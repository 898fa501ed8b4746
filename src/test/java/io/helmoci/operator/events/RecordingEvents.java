package io.helmoci.operator.events;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.ArrayList;
import java.util.List;

/** Keeps the events a test's reconciliations or sweeps emitted. */
public final class RecordingEvents implements EventRecorder {
    /** @param resource namespace/name of the involved object */
    public record Recorded(String resource, String type, String reason, String message) {}

    public final List<Recorded> events = new ArrayList<>();

    @Override
    public void normal(HasMetadata resource, String reason, String message) {
        events.add(new Recorded(id(resource), "Normal", reason, message));
    }

    @Override
    public void warning(HasMetadata resource, String reason, String message) {
        events.add(new Recorded(id(resource), "Warning", reason, message));
    }

    public List<String> reasons() {
        return events.stream().map(Recorded::reason).toList();
    }

    public void clear() {
        events.clear();
    }

    private static String id(HasMetadata resource) {
        return resource.getMetadata().getNamespace() + "/"
                + resource.getMetadata().getName();
    }
}
