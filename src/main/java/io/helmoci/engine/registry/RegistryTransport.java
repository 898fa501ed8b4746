package io.helmoci.engine.registry;

import java.time.Clock;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What operations share: HTTP clients with their connection pools, the registries' auth schemes
 * and cached bearer tokens. Create one per process (or per puller) and open a
 * {@link RegistryClient} per operation.
 */
public final class RegistryTransport implements AutoCloseable {
    private final HttpClientFactory clients;
    private final RegistryAuth auth;
    private final AtomicLong requests = new AtomicLong();
    private final ExchangeObserver observer;
    private final TagListLimits tagLimits;

    public RegistryTransport() {
        this(Clock.systemUTC());
    }

    public RegistryTransport(Clock clock) {
        this(clock, ExchangeObserver.NONE);
    }

    /** @param observer told about every HTTP exchange (for metrics) */
    public RegistryTransport(Clock clock, ExchangeObserver observer) {
        this(clock, observer, TagListLimits.defaults());
    }

    /** @param tagLimits bounds on a tag list over all its pages */
    public RegistryTransport(Clock clock, ExchangeObserver observer, TagListLimits tagLimits) {
        this(clock, observer, tagLimits, RegistryBudget.Limits.unlimited());
    }

    /** @param budget what each registry host is asked at most, by all clients of this transport together */
    public RegistryTransport(
            Clock clock, ExchangeObserver observer, TagListLimits tagLimits, RegistryBudget.Limits budget) {
        this.clients = new HttpClientFactory(budget, Clock.systemUTC()); // Retry-After is wall-clock time
        this.auth = new RegistryAuth(clock);
        this.observer = observer;
        this.tagLimits = tagLimits;
    }

    /** A client for one operation; its deadline ({@link TransportOptions#operationTimeout()}) starts now. */
    public RegistryClient open(RegistryOptions options) {
        RegistryHttp http = new RegistryHttp(
                clients.clientFor(options.transport()),
                options.transport(),
                Deadline.after(options.transport().operationTimeout()),
                requests,
                observer);
        return new RegistryClient(
                http, auth, options.credentials(), options.transport().tagPageSize(), tagLimits);
    }

    /** HTTP exchanges sent so far by every client of this transport (token requests and redirect hops included). */
    public long requestCount() {
        return requests.get();
    }

    @Override
    public void close() {
        clients.close();
    }
}
