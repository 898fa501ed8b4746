package io.helmoci.engine.registry;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Bearer tokens per (registry origin, scope, credential identity), kept until shortly before they
 * expire: a token obtained with one credential is never used for a caller with another.
 */
final class TokenCache {
    private static final int MAX_TOKENS = 4096;
    private static final Duration MAX_MARGIN = Duration.ofSeconds(10);

    record Key(String origin, String scope, String credentialIdentity) {}

    private record Entry(String token, Instant usableUntil) {}

    private final Clock clock;
    private final Map<Key, Entry> tokens = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, Entry> eldest) {
            return size() > MAX_TOKENS;
        }
    };

    TokenCache(Clock clock) {
        this.clock = clock;
    }

    synchronized String get(Key key) {
        Entry entry = tokens.get(key);
        if (entry == null) {
            return null;
        }
        if (!clock.instant().isBefore(entry.usableUntil)) {
            tokens.remove(key);
            return null;
        }
        return entry.token;
    }

    /**
     * Stores a token valid for {@code lifetime} from {@code issuedAt} (or from now, when the server
     * did not say or claims a time in our future), minus a margin of 10 % capped at 10 s.
     */
    synchronized void put(Key key, String token, Duration lifetime, Instant issuedAt) {
        Instant now = clock.instant();
        Instant start = issuedAt != null && issuedAt.isBefore(now) ? issuedAt : now;
        Duration margin = lifetime.dividedBy(10).compareTo(MAX_MARGIN) > 0 ? MAX_MARGIN : lifetime.dividedBy(10);
        tokens.put(key, new Entry(token, start.plus(lifetime).minus(margin)));
    }

    /** Drops the token if it is still the one the registry just rejected. */
    synchronized void invalidate(Key key, String rejectedToken) {
        Entry entry = tokens.get(key);
        if (entry != null && (rejectedToken == null || entry.token.equals(rejectedToken))) {
            tokens.remove(key);
        }
    }
}
