package io.helmoci.engine.verify;

import io.helmoci.engine.EngineException;
import io.helmoci.engine.Reason;
import io.helmoci.engine.chart.ChartMetadata;
import io.helmoci.engine.reference.OciReference;
import io.helmoci.engine.registry.Descriptor;
import io.helmoci.engine.registry.Digest;
import io.helmoci.engine.registry.MediaTypes;
import io.helmoci.engine.registry.RegistryClient;
import java.util.List;
import java.util.Optional;

/**
 * The registry side of a verification: the signed artifact (the manifest the tag resolved to) and
 * where its signatures are. Referrers come from the OCI 1.1 referrers API, or, on a registry without
 * it (404), from the referrers tag schema ({@code sha256-<hex>} pointing to an image index); cosign's
 * legacy signatures from the {@code sha256-<hex>.sig} tag. Every manifest and blob is verified
 * against its digest by the {@link RegistryClient}; signature blobs are capped at 1 MiB.
 */
public final class SignatureSource {
    static final int MAX_SIGNATURE_BYTES = 1024 * 1024;

    private final RegistryClient client;
    private final OciReference reference;
    private final Descriptor subject;
    private final ChartMetadata chart;
    private final byte[] subjectManifest;

    /** @param subject the descriptor of the manifest (or index) the tag resolved to: media type, digest, size */
    public SignatureSource(RegistryClient client, OciReference reference, Descriptor subject) {
        this(client, reference, subject, null, null);
    }

    /**
     * @param chart           the chart's metadata as resolved (name and version), which a provenance file must agree with; may be null
     * @param subjectManifest the subject manifest's bytes when already read and verified (saves a GET); may be null
     */
    public SignatureSource(
            RegistryClient client,
            OciReference reference,
            Descriptor subject,
            ChartMetadata chart,
            byte[] subjectManifest) {
        this.client = client;
        this.reference = reference;
        this.subject = subject;
        this.chart = chart;
        this.subjectManifest = subjectManifest;
    }

    /** The resolved chart's metadata, if known. */
    public Optional<ChartMetadata> chart() {
        return Optional.ofNullable(chart);
    }

    public OciReference reference() {
        return reference;
    }

    public Descriptor subject() {
        return subject;
    }

    /** The referrers of the subject with this artifact type (registry filter and our own: some registries ignore the filter). */
    public List<Descriptor> referrers(String artifactType) {
        Optional<byte[]> index = client.referrers(reference, subject.digest(), artifactType);
        byte[] body = index.orElseGet(() -> client.findManifest(reference, referrersTag())
                .map(RegistryClient.ManifestContent::bytes)
                .orElse(null));
        if (body == null) {
            return List.of();
        }
        return ArtifactManifest.parse(subject.digest(), body, "The referrers index of " + reference.repository())
                .layers()
                .stream()
                .filter(d -> artifactType == null || artifactType.equals(d.artifactType()))
                .toList();
    }

    /** The manifest a tag points to, if the tag exists (one GET). */
    public Optional<ArtifactManifest> taggedManifest(String tag) {
        return client.findManifest(reference, tag)
                .map(m -> ArtifactManifest.parse(
                        m.digest(), m.bytes(), "Manifest " + reference.repository() + ":" + tag));
    }

    /** A manifest by descriptor (a referrer), digest-verified. */
    public ArtifactManifest manifest(Descriptor descriptor) {
        RegistryClient.ManifestContent content = client.getManifest(
                reference,
                new Descriptor(
                        descriptor.mediaType() == null ? MediaTypes.OCI_MANIFEST : descriptor.mediaType(),
                        descriptor.digest(),
                        descriptor.size()));
        return ArtifactManifest.parse(
                content.digest(), content.bytes(), "Manifest " + reference.repository() + "@" + descriptor.digest());
    }

    /** The subject manifest itself (for the provenance layer of a Helm chart). */
    public ArtifactManifest subjectManifest() {
        if (subjectManifest != null
                && Digest.parse(subject.digest(), "the subject").matches(subjectManifest)) {
            return ArtifactManifest.parse(
                    subject.digest(), subjectManifest, "Manifest " + reference.repository() + "@" + subject.digest());
        }
        return manifest(subject);
    }

    /** A small signature blob, read whole, size and digest verified. */
    public byte[] blob(Descriptor descriptor) {
        if (descriptor.size() < 0) {
            throw new EngineException(
                    Reason.SignatureInvalid,
                    "The signature blob " + descriptor.digest()
                            + " has no size in its manifest. Sign the chart again.");
        }
        return client.readBlob(reference, descriptor, MAX_SIGNATURE_BYTES);
    }

    /** {@code sha256-<hex>}: the referrers tag schema's tag, and the stem of cosign's {@code .sig}/{@code .att} tags. */
    public String referrersTag() {
        return subject.digest().replace(':', '-');
    }
}
