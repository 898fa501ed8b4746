package io.helmoci.engine.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.helmoci.engine.EngineException;
import io.helmoci.engine.Reason;
import io.helmoci.engine.reference.OciReference;
import io.helmoci.engine.version.VersionSelector;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import okhttp3.HttpUrl;
import okhttp3.Request;
import okhttp3.Response;

/**
 * The OCI distribution API calls a chart pull needs, for one operation (one deadline): tag
 * listing, manifest HEAD/GET and blob download, with authentication, retries and verification.
 * Obtain one from {@link RegistryTransport#open(RegistryOptions)}; not thread-safe.
 *
 * <p>Everything read into memory is capped: manifests and tag-list pages at 4 MiB, and blobs read
 * whole ({@link #readBlob}) at the caller's limit. Manifests and blobs are verified against their
 * digest and size; chart layers are streamed ({@link #openBlob}), never held in memory.
 */
public final class RegistryClient {
    /** Manifests, tag-list pages and config blobs larger than this are refused (as oras-go does). */
    public static final int MAX_METADATA_BYTES = 4 * 1024 * 1024;

    static final int MAX_TAG_PAGES = 1000;
    /** A next-page link longer than this is refused (real ones carry a repository, n= and last=<tag>). */
    static final int MAX_LINK_CHARS = 8192;

    private static final String USER_AGENT = "helm-oci-operator";
    private static final String ACCEPT = String.join(", ", MediaTypes.MANIFEST_ACCEPT);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A manifest's exact bytes with the digest they were verified against and the type the registry gave. */
    public record ManifestContent(String digest, String mediaType, byte[] bytes) {}

    private final RegistryHttp http;
    private final RegistryAuth auth;
    private final Credentials credentials;
    private final int tagPageSize;
    private final TagListLimits tagLimits;
    /** Manifests already read in this operation (e.g. by a HEAD that had to fall back to GET). */
    private final Map<String, ManifestContent> manifests = new HashMap<>();

    RegistryClient(
            RegistryHttp http, RegistryAuth auth, Credentials credentials, int tagPageSize, TagListLimits tagLimits) {
        this.http = http;
        this.tagLimits = tagLimits;
        this.auth = auth;
        this.credentials = credentials;
        this.tagPageSize = tagPageSize;
    }

    /**
     * The tags of the repository that version selection can use, following
     * {@code Link: <...>; rel="next"} pages, in registry order: every strict semver tag, plus the
     * first {@value TagListReader#KEPT_OTHER_TAGS} other tags as examples for messages. Pages are
     * stream-parsed; tags and bytes over all pages are bounded by the {@link TagListLimits}
     * ({@link Reason#TagListTooLarge}), and a {@code Link} back to a page already read fails.
     */
    public List<String> listTags(OciReference ref) {
        String what = "the tag list of " + ref.repository();
        TagListReader reader = new TagListReader(tagLimits, MAX_METADATA_BYTES, ref.registry(), what);
        HttpUrl.Builder first = base(ref).addPathSegments("tags/list");
        if (tagPageSize > 0) {
            first.addQueryParameter("n", Integer.toString(tagPageSize));
        }
        HttpUrl url = first.build();
        Set<HttpUrl> visited = new HashSet<>();
        for (int page = 0; url != null; page++) {
            if (page >= MAX_TAG_PAGES) {
                throw new EngineException(
                        Reason.TagListTooLarge,
                        "Registry " + ref.registry() + " paginated " + what
                                + " beyond " + MAX_TAG_PAGES
                                + " pages. Delete old tags from the repository, or give an exact version"
                                + " (it needs no tag list).");
            }
            if (!visited.add(url)) {
                throw new EngineException(
                        Reason.RegistryUnavailable,
                        "Registry " + ref.registry() + " paginated " + what
                                + " in a loop: its Link header points back to a page already read. Check the registry.");
            }
            Response response = execute(new Request.Builder().url(url).get(), ref, what);
            if (response.code() == 404) {
                RegistryErrors.Failure failure = RegistryErrors.read(response);
                throw repositoryNotFound(ref, failure.detail());
            }
            if (!response.isSuccessful()) {
                throw fail(response, what, ref);
            }
            String next = LinkHeader.next(response.headers("Link"));
            try (response;
                    InputStream in = response.body().byteStream()) {
                reader.readPage(in);
            } catch (IOException e) {
                throw http.classifyBodyFailure(e, response.request().url());
            }
            url = nextPage(url, next, ref);
        }
        return reader.tags();
    }

    private static HttpUrl nextPage(HttpUrl current, String next, OciReference ref) {
        if (next == null) {
            return null;
        }
        HttpUrl resolved = current.resolve(next);
        if (next.length() > MAX_LINK_CHARS || resolved == null || !RegistryHttp.sameOrigin(current, resolved)) {
            throw new EngineException(
                    Reason.RegistryUnavailable,
                    "Registry " + ref.registry()
                            + " sent a tag-list page link to another host, an invalid or an overlong URL; not following it.");
        }
        return resolved;
    }

    /**
     * The descriptor of the manifest a tag or digest points to, by HEAD. When the registry omits
     * {@code Docker-Content-Digest} or {@code Content-Type}, falls back to a GET and hashes the body.
     * A missing tag becomes {@link Reason#VersionNotFound} with the nearest available versions.
     */
    public Descriptor headManifest(OciReference ref, String tagOrDigest) {
        String what = "manifest " + ref.repository() + (isDigest(tagOrDigest) ? "@" : ":") + tagOrDigest;
        Response response = execute(manifestRequest(ref, tagOrDigest).head(), ref, what);
        if (response.code() == 404) {
            response.close();
            throw manifestNotFound(ref, tagOrDigest);
        }
        if (!response.isSuccessful()) {
            throw fail(response, what, ref);
        }
        String digest;
        String mediaType;
        long size;
        try (response) {
            digest = response.header("Docker-Content-Digest");
            mediaType = MediaTypes.essence(response.header("Content-Type"));
            size = parseLength(response.header("Content-Length"));
        }
        if (digest == null || mediaType == null || Digest.parseOrNull(digest) == null) {
            ManifestContent content = fetchManifest(ref, tagOrDigest, null, what);
            return new Descriptor(content.mediaType(), content.digest(), content.bytes().length);
        }
        if (isDigest(tagOrDigest) && !digest.equals(tagOrDigest) && sameAlgorithm(digest, tagOrDigest)) {
            throw new EngineException(
                    Reason.DigestMismatch,
                    "Registry " + ref.registry() + " answered " + what + " with digest " + digest
                            + ". The registry served content for another digest; check the registry.");
        }
        return new Descriptor(mediaType, isDigest(tagOrDigest) ? tagOrDigest : digest, size);
    }

    /**
     * The manifest with this descriptor's digest, verified byte for byte: size (when known) and
     * digest. Its media type is the registry's {@code Content-Type}, else the body's {@code mediaType};
     * {@link ManifestResolver} checks that they agree.
     */
    public ManifestContent getManifest(OciReference ref, Descriptor descriptor) {
        ManifestContent known = manifests.get(descriptor.digest());
        if (known != null) {
            return known;
        }
        String what = "manifest " + ref.repository() + "@" + descriptor.digest();
        return fetchManifest(ref, descriptor.digest(), descriptor, what);
    }

    /** GET a manifest by tag or digest, verify it, and remember it for this operation. */
    private ManifestContent fetchManifest(OciReference ref, String tagOrDigest, Descriptor expected, String what) {
        Response response = execute(manifestRequest(ref, tagOrDigest).get(), ref, what);
        if (response.code() == 404) {
            response.close();
            throw manifestNotFound(ref, tagOrDigest);
        }
        return readManifest(response, ref, tagOrDigest, expected, what);
    }

    /** Verifies and remembers a manifest from a successful (or failed, which throws) GET. */
    private ManifestContent readManifest(
            Response response, OciReference ref, String tagOrDigest, Descriptor expected, String what) {
        if (!response.isSuccessful()) {
            throw fail(response, what, ref);
        }
        String headerDigest = response.header("Docker-Content-Digest");
        String contentType = MediaTypes.essence(response.header("Content-Type"));
        byte[] bytes = readCapped(response, MAX_METADATA_BYTES, what);
        if (expected != null && expected.size() >= 0 && bytes.length != expected.size()) {
            throw new EngineException(
                    Reason.SizeMismatch,
                    "Registry " + ref.registry() + " served " + what + " with " + bytes.length
                            + " bytes; its descriptor says " + expected.size() + ". Push the chart again.");
        }
        // By digest: verify against the digest asked for. By tag: against Docker-Content-Digest, or sha256 of the body.
        Digest digest = isDigest(tagOrDigest)
                ? Digest.parse(tagOrDigest, what)
                : headerDigest != null && Digest.parseOrNull(headerDigest) != null
                        ? Digest.parseOrNull(headerDigest)
                        : Digest.sha256(bytes);
        if (!digest.matches(bytes)) {
            throw new EngineException(
                    Reason.DigestMismatch,
                    "Registry " + ref.registry() + " served " + what + " with content that does not match digest "
                            + digest + ". The registry served corrupt content; check it.");
        }
        // Whether Content-Type, the announced type and the body's mediaType agree is ManifestResolver's check, for
        // stored manifests too.
        ManifestContent content =
                new ManifestContent(digest.toString(), contentType != null ? contentType : bodyMediaType(bytes), bytes);
        manifests.put(content.digest(), content);
        return content;
    }

    /**
     * GET a manifest by tag where the tag's absence is an answer, not a failure (signature tags such
     * as cosign's {@code sha256-<hex>.sig} and the referrers tag schema): empty on 404, otherwise as
     * {@link #getManifest}. One request; no tag listing.
     */
    public java.util.Optional<ManifestContent> findManifest(OciReference ref, String tag) {
        String what = "manifest " + ref.repository() + ":" + tag;
        Response response = execute(manifestRequest(ref, tag).get(), ref, what);
        if (response.code() == 404) {
            response.close();
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(readManifest(response, ref, tag, null, what));
    }

    /**
     * The OCI 1.1 referrers API ({@code GET /v2/<name>/referrers/<digest>}, optionally filtered by
     * {@code artifactType}): the image index body, or empty when the registry does not implement the
     * API (404), so the caller can fall back to the referrers tag schema. Capped at 4 MiB.
     */
    public java.util.Optional<byte[]> referrers(OciReference ref, String digest, String artifactType) {
        String what = "the referrers of " + ref.repository() + "@" + digest;
        HttpUrl.Builder url = base(ref).addPathSegment("referrers").addPathSegment(digest);
        if (artifactType != null) {
            url.addQueryParameter("artifactType", artifactType);
        }
        Response response = execute(
                new Request.Builder()
                        .url(url.build())
                        .header("Accept", MediaTypes.OCI_INDEX)
                        .get(),
                ref,
                what);
        if (response.code() == 404) {
            response.close();
            return java.util.Optional.empty();
        }
        if (!response.isSuccessful()) {
            throw fail(response, what, ref);
        }
        return java.util.Optional.of(readCapped(response, MAX_METADATA_BYTES, what));
    }

    /**
     * Streams a blob. The stream must be closed; it throws {@link EngineException} (unchecked) for
     * network failures while reading. A {@code Content-Length} that differs from the descriptor
     * fails with {@link Reason#SizeMismatch} before anything is read.
     */
    public InputStream openBlob(OciReference ref, Descriptor descriptor) {
        String what = "blob " + descriptor.digest() + " of " + ref.repository();
        Response response = execute(
                new Request.Builder()
                        .url(base(ref)
                                .addPathSegment("blobs")
                                .addPathSegment(descriptor.digest())
                                .build())
                        .get(),
                ref,
                what);
        if (response.code() == 404) {
            RegistryErrors.Failure failure = RegistryErrors.read(response);
            if (failure.hasCode("NAME_UNKNOWN")) {
                throw repositoryNotFound(ref, failure.detail());
            }
            throw new EngineException(
                    Reason.RegistryUnavailable,
                    "Registry " + ref.registry() + " does not have " + what + ", which the manifest references ("
                            + failure.detail() + "). The artifact is incomplete: push the chart again.");
        }
        if (!response.isSuccessful()) {
            throw fail(response, what, ref);
        }
        long length = parseLength(response.header("Content-Length"));
        if (length >= 0 && descriptor.size() >= 0 && length != descriptor.size()) {
            response.close();
            throw new EngineException(
                    Reason.SizeMismatch,
                    "Registry " + ref.registry() + " announced " + what + " with " + length
                            + " bytes; the manifest says " + descriptor.size() + ". Push the chart again.");
        }
        HttpUrl url = response.request().url();
        return new FilterInputStream(response.body().byteStream()) {
            @Override
            public int read() {
                try {
                    return super.read();
                } catch (IOException e) {
                    throw http.classifyBodyFailure(e, url);
                }
            }

            @Override
            public int read(byte[] buffer, int offset, int length) {
                try {
                    return super.read(buffer, offset, length);
                } catch (IOException e) {
                    throw http.classifyBodyFailure(e, url);
                }
            }

            @Override
            public void close() {
                response.close();
            }
        };
    }

    /** A small blob (a config) read whole: at most {@code maxBytes}, size and digest verified. */
    public byte[] readBlob(OciReference ref, Descriptor descriptor, int maxBytes) {
        String what = "blob " + descriptor.digest() + " (" + descriptor.mediaType() + ") of " + ref.repository();
        if (descriptor.size() > maxBytes) {
            throw new EngineException(
                    Reason.ChartTooLarge,
                    what + " is " + descriptor.size() + " bytes, more than the limit of " + maxBytes
                            + " bytes. Shrink the chart metadata.");
        }
        Digest digest = descriptor.parsedDigest();
        byte[] bytes;
        try (InputStream in = openBlob(ref, descriptor)) {
            bytes = in.readNBytes((int) Math.max(0, descriptor.size()) + 1);
        } catch (IOException e) {
            throw http.classifyBodyFailure(e, base(ref).build());
        }
        if (bytes.length != descriptor.size()) {
            throw new EngineException(
                    Reason.SizeMismatch,
                    "Registry " + ref.registry() + " served " + what + " with "
                            + (bytes.length > descriptor.size() ? "more than " + descriptor.size() : bytes.length)
                            + " bytes; the manifest says "
                            + descriptor.size() + ". Push the chart again.");
        }
        if (!digest.matches(bytes)) {
            throw new EngineException(
                    Reason.DigestMismatch,
                    "Registry " + ref.registry() + " served " + what
                            + " with content that does not match its digest. The registry served corrupt content; push the chart again.");
        }
        return bytes;
    }

    // ---- requests, authentication and errors

    private Response execute(Request.Builder builder, OciReference ref, String what) {
        Request request = builder.header("User-Agent", USER_AGENT)
                .header("Accept-Encoding", "identity")
                .build();
        String origin = RegistryHttp.origin(request.url());
        String scope = RegistryAuth.pullScope(ref.repository());
        RegistryAuth.Preemptive sent = auth.preemptive(origin, scope, credentials, http, ref.registry(), what);
        Response response = http.send(withAuthorization(request, sent.authorization()));
        if (response.code() != 401
                || !RegistryHttp.sameOrigin(response.request().url(), request.url())) {
            return response;
        }
        if (sent.fresh()) {
            throw rejected(response, ref, what);
        }
        List<AuthChallenge> challenges = AuthChallenge.parse(response.headers("WWW-Authenticate"));
        response.close();
        String fresh =
                auth.answer(challenges, origin, scope, credentials, sent.authorization(), http, ref.registry(), what);
        Response retried = http.send(withAuthorization(request, fresh));
        if (retried.code() != 401) {
            return retried;
        }
        throw rejected(retried, ref, what);
    }

    /** A 401 to freshly obtained credentials: insufficient scope with credentials is Forbidden, else Unauthorized. */
    private EngineException rejected(Response response, OciReference ref, String what) {
        AuthChallenge again = AuthChallenge.preferred(AuthChallenge.parse(response.headers("WWW-Authenticate")));
        RegistryErrors.Failure failure = RegistryErrors.read(response);
        if (again != null && "insufficient_scope".equals(again.error()) && !credentials.isAnonymous()) {
            return new EngineException(
                    Reason.Forbidden,
                    "Registry " + ref.registry() + " gave the credentials no pull access to "
                            + ref.repository() + " (" + failure.detail() + ", insufficient_scope); "
                            + credentials.describe()
                            + ". Grant the account pull access to the repository (or check that it exists), or use an account that has it.");
        }
        return RegistryErrors.unauthorized(ref.registry(), what, credentials, failure.detail());
    }

    private static Request withAuthorization(Request request, String authorization) {
        return authorization == null
                ? request
                : request.newBuilder().header("Authorization", authorization).build();
    }

    private EngineException fail(Response response, String what, OciReference ref) {
        return RegistryErrors.toException(RegistryErrors.read(response), what, ref.registry(), credentials);
    }

    /** A HEAD/GET 404 carries no reliable code (HEAD has no body): the tag list tells missing repository from missing version. */
    private EngineException manifestNotFound(OciReference ref, String tagOrDigest) {
        List<String> tags;
        try {
            tags = listTags(ref); // throws RepositoryNotFound when the repository is unknown
        } catch (EngineException e) {
            if (e.reason() != Reason.TagListTooLarge) {
                throw e;
            }
            tags = null; // the version is still missing; the list is only too long to name the nearest ones
        }
        if (isDigest(tagOrDigest)) {
            return new EngineException(
                    Reason.VersionNotFound,
                    "Repository " + ref.registry() + "/" + ref.repository() + " has no manifest with digest "
                            + tagOrDigest + ". Check the pinned digest.");
        }
        String version = VersionSelector.versionFor(tagOrDigest);
        return new EngineException(
                Reason.VersionNotFound,
                "Repository " + ref.registry() + "/" + ref.repository()
                        + " has no tag " + tagOrDigest + ". "
                        + (tags == null
                                ? "Its tag list is too long to name the nearest versions."
                                : VersionSelector.nearestVersionsHint(tags, version))
                        + " Check the version, or push it with 'helm push'.");
    }

    private static EngineException repositoryNotFound(OciReference ref, String detail) {
        return new EngineException(
                Reason.RepositoryNotFound,
                "Registry " + ref.registry() + " does not know the repository " + ref.repository() + " (" + detail
                        + "). Check the host and path of the reference; the chart name is the last path segment.");
    }

    private HttpUrl.Builder base(OciReference ref) {
        HttpUrl root = HttpUrl.parse(http.options().scheme() + "://" + ref.apiHost() + "/v2/");
        if (root == null) {
            throw new EngineException(
                    Reason.InvalidReference, "The registry host '" + ref.apiHost() + "' is not a valid host[:port].");
        }
        return root.newBuilder().addPathSegments(ref.repository());
    }

    private Request.Builder manifestRequest(OciReference ref, String tagOrDigest) {
        return new Request.Builder()
                .url(base(ref)
                        .addPathSegment("manifests")
                        .addPathSegment(tagOrDigest)
                        .build())
                .header("Accept", ACCEPT);
    }

    private byte[] readCapped(Response response, int max, String what) {
        try (response;
                InputStream in = response.body().byteStream()) {
            byte[] bytes = in.readNBytes(max + 1);
            if (bytes.length > max) {
                throw new EngineException(
                        Reason.ChartTooLarge,
                        "Registry " + response.request().url().host() + " answered " + what + " with more than " + max
                                + " bytes, the limit for metadata. Check the artifact.");
            }
            return bytes;
        } catch (IOException e) {
            throw http.classifyBodyFailure(e, response.request().url());
        }
    }

    private static String bodyMediaType(byte[] manifest) {
        try {
            JsonNode mediaType = JSON.readTree(manifest).get("mediaType");
            return mediaType != null && mediaType.isTextual() ? MediaTypes.essence(mediaType.asText()) : null;
        } catch (IOException | RuntimeException e) {
            return null; // the resolver reports unparseable manifests
        }
    }

    static boolean isDigest(String tagOrDigest) {
        return tagOrDigest.contains(":");
    }

    private static boolean sameAlgorithm(String a, String b) {
        return a.substring(0, a.indexOf(':')).equals(b.substring(0, b.indexOf(':')));
    }

    private static long parseLength(String header) {
        if (header == null) {
            return -1;
        }
        try {
            return Long.parseLong(header.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
