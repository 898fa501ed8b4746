package io.helmoci.engine.registry;

import io.helmoci.engine.reference.OciReference;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The registry answers that many callers share: tag lists, manifest HEADs and chart resolutions,
 * by (registry, repository, tag or digest, credentials, transport). Credentials are part of the key
 * as their one-way {@link Credentials#identity()}, so a caller never sees an answer obtained with
 * other credentials (no namespace learns another's private tags or digests); the transport's trust
 * settings (CA, client certificate, plain HTTP, proxy with its credentials as a one-way digest) are
 * part of it too: what one proxy account may reach is no answer for another.
 */
public final class SharedLookups {
    /** What a shared answer is keyed by; holds no secret. */
    record Key(String origin, String repository, String subject, String credentials, String trust) {}

    private final SingleFlight<Key, List<String>> tagLists;
    private final SingleFlight<Key, Descriptor> heads;
    private final SingleFlight<Key, ChartManifest> charts;

    public SharedLookups(RequestSharing sharing, Clock clock) {
        this.tagLists = new SingleFlight<>(sharing.tagListTtl(), sharing.keepFor(), clock);
        this.heads = new SingleFlight<>(sharing.manifestTtl(), sharing.keepFor(), clock);
        // Manifests and configs are kept in the store once read: only concurrent resolutions need sharing.
        this.charts = new SingleFlight<>(java.time.Duration.ZERO, clock);
    }

    public List<String> tags(OciReference ref, RegistryOptions options, Supplier<List<String>> list) {
        return tags(ref, options, null, list);
    }

    /** @param acceptSince an answer requested at or after this instant is reused beyond the window; null: the window only */
    public List<String> tags(
            OciReference ref, RegistryOptions options, Instant acceptSince, Supplier<List<String>> list) {
        return tagLists.get(key(ref, options, "tags/list"), acceptSince, list);
    }

    public Descriptor head(OciReference ref, RegistryOptions options, String tagOrDigest, Supplier<Descriptor> head) {
        return head(ref, options, tagOrDigest, null, head);
    }

    /** @param acceptSince an answer requested at or after this instant is reused beyond the window; null: the window only */
    public Descriptor head(
            OciReference ref,
            RegistryOptions options,
            String tagOrDigest,
            Instant acceptSince,
            Supplier<Descriptor> head) {
        return heads.get(key(ref, options, "manifests/" + tagOrDigest), acceptSince, head);
    }

    public ChartManifest chart(
            OciReference ref, RegistryOptions options, String rootDigest, Supplier<ChartManifest> resolve) {
        return charts.get(key(ref, options, "chart/" + rootDigest), resolve);
    }

    /**
     * Forgets the tag lists and tag digests of {@code ref}'s repository obtained before
     * {@code instant} (whatever the credentials), because the registry announced a change then.
     */
    public void forgetBefore(OciReference ref, java.time.Instant instant) {
        java.util.function.Predicate<Key> sameRepository =
                key -> key.repository().equals(ref.repository()) && key.origin().endsWith("://" + ref.apiHost());
        tagLists.forgetCompletedBefore(sameRepository, instant);
        heads.forgetCompletedBefore(sameRepository, instant);
    }

    static Key key(OciReference ref, RegistryOptions options, String subject) {
        TransportOptions transport = options.transport();
        String origin = (transport.plainHttp() ? "http://" : "https://") + ref.apiHost();
        return new Key(origin, ref.repository(), subject, options.credentials().identity(), trust(transport));
    }

    private static String trust(TransportOptions transport) {
        String material = Objects.toString(transport.caCertificatesPem()) + "\0" + transport.clientCertificatePem()
                + "\0" + transport.insecureSkipTlsVerify() + "\0"
                + (transport.proxy() == null ? "jvm" : transport.proxy().identity());
        byte[] hash = Digest.newSha256().digest(material.getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(hash, 0, 12);
    }
}
