package io.helmoci.engine.reference;

import io.helmoci.engine.EngineException;
import io.helmoci.engine.Reason;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A chart reference {@code oci://host[:port]/path/name[:tag][@digest]}, validated strictly.
 *
 * <ul>
 * <li>{@code registry} is the host with optional port, lower-cased. Docker Hub's names
 * {@code docker.io}, {@code index.docker.io} and {@code registry-1.docker.io} all become
 * {@code docker.io}; {@link #apiHost()} is the host to send requests to
 * ({@code registry-1.docker.io} for Docker Hub, as oras-go does).</li>
 * <li>No {@code library/} prefix is added for single-segment Docker Hub repositories: Helm and
 * oras-go do not add it either, so {@code oci://docker.io/x} names the same repository as in Helm
 * (official images live in {@code library/}, charts do not).</li>
 * <li>{@code repository} follows the distribution grammar: lower-case components of
 * {@code [a-z0-9]+} joined by {@code .}, {@code _}, {@code __} or dashes, separated by {@code /};
 * registry plus repository at most 255 characters.</li>
 * <li>{@code tag} follows {@code [A-Za-z0-9_][A-Za-z0-9._-]{0,127}}. A {@code +} is refused (Helm
 * silently rewrites it to {@code _}); give such versions separately.</li>
 * <li>{@code digest} is {@code sha256:<64 lower-case hex>} or {@code sha512:<128 lower-case hex>}
 * (image-spec registers both; nothing else can be verified, so other algorithms are refused).</li>
 * </ul>
 * The canonical constructor validates too, so every instance is valid; {@link #toString()} gives the
 * canonical text, which {@link #parse} reads back to an equal reference.
 */
public record OciReference(String registry, String repository, String tag, String digest) {
    public static final String SCHEME = "oci://";
    public static final String DOCKER_HUB = "docker.io";
    public static final String DOCKER_HUB_API_HOST = "registry-1.docker.io";
    static final String EXPECTED_FORM = "oci://host[:port]/path/name[:tag][@sha256:<64 lower-case hex>]";
    private static final Set<String> DOCKER_HUB_ALIASES = Set.of(DOCKER_HUB, "index.docker.io", DOCKER_HUB_API_HOST);
    private static final int MAX_NAME_LENGTH = 255;

    private static final String LABEL = "[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?";
    private static final Pattern HOST =
            Pattern.compile("(?:" + LABEL + "(?:\\." + LABEL + ")*|\\[[a-fA-F0-9:]+\\])(?::([0-9]{1,5}))?");
    private static final Pattern COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,127}");
    private static final Pattern SHA256 = Pattern.compile("[a-f0-9]{64}");
    private static final Pattern SHA512 = Pattern.compile("[a-f0-9]{128}");

    public OciReference {
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(repository, "repository");
        String problem = problem(registry, repository, tag, digest);
        if (problem != null) {
            throw invalid(problem);
        }
        registry = canonicalRegistry(registry);
    }

    /**
     * Parses {@code oci://host[:port]/path/name[:tag][@sha256:<hex>]}.
     *
     * @throws EngineException {@link Reason#InvalidReference}, saying what is wrong and the expected form
     */
    public static OciReference parse(String reference) {
        if (reference == null || reference.isEmpty()) {
            throw invalid("the chart reference is empty");
        }
        String shown = redacted(reference);
        if (!reference.startsWith(SCHEME)) {
            int scheme = reference.indexOf("://");
            throw invalid(
                    scheme > 0
                            ? "\"" + shown + "\" uses the scheme " + reference.substring(0, scheme + 3)
                                    + ", but charts in registries are addressed with oci://"
                            : "\"" + shown + "\" has no scheme: write oci://" + shown);
        }
        if (reference.chars().anyMatch(c -> c <= ' ' || c == 0x7f)) {
            throw invalid("\"" + shown.strip() + "\" contains whitespace or control characters");
        }
        String rest = reference.substring(SCHEME.length());
        int slash = rest.indexOf('/');
        String host = slash < 0 ? rest : rest.substring(0, slash);
        if (host.contains("@")) {
            throw invalid("\"" + shown
                    + "\" contains credentials (user@host); give credentials separately, never in the reference");
        }
        if (host.isEmpty()) {
            throw invalid("\"" + shown + "\" has no registry host after oci://");
        }
        if (slash < 0 || slash == rest.length() - 1) {
            throw invalid("\"" + shown + "\" has no repository path after the host " + host);
        }
        String path = rest.substring(slash + 1);
        String digest = null;
        int at = path.indexOf('@');
        if (at >= 0) {
            digest = path.substring(at + 1);
            path = path.substring(0, at);
            if (digest.isEmpty()) {
                throw invalid("\"" + shown + "\" ends with @ but has no digest after it");
            }
        }
        String tag = null;
        int colon = path.lastIndexOf(':');
        if (colon >= 0 && colon > path.lastIndexOf('/')) {
            tag = path.substring(colon + 1);
            path = path.substring(0, colon);
            if (tag.isEmpty()) {
                throw invalid("\"" + shown + "\" has ':' but no tag after it");
            }
        }
        String problem = problem(host, path, tag, digest);
        if (problem != null) {
            throw invalid("in \"" + shown + "\", " + problem);
        }
        return new OciReference(host, path, tag, digest);
    }

    /** Whether {@code digest} is a digest this engine can verify ({@code sha256:} or {@code sha512:}, lower-case hex). */
    public static boolean isValidDigest(String digest) {
        return digestProblem(digest) == null;
    }

    /** The host (and port) to send registry API requests to. */
    public String apiHost() {
        return DOCKER_HUB.equals(registry) ? DOCKER_HUB_API_HOST : registry;
    }

    /** The last path segment, which Helm requires to be the chart's name. */
    public String chartName() {
        return repository.substring(repository.lastIndexOf('/') + 1);
    }

    /** {@code oci://registry/repository}, without tag or digest. */
    public String repositoryUrl() {
        return SCHEME + registry + "/" + repository;
    }

    /** {@code oci://registry/repository@digest}: this chart pinned to {@code digest}. */
    public String pinned(String digest) {
        return withTag(null).withDigest(digest).toString();
    }

    public OciReference withTag(String tag) {
        return new OciReference(registry, repository, tag, digest);
    }

    public OciReference withDigest(String digest) {
        return new OciReference(registry, repository, tag, digest);
    }

    /** What to put after {@code /manifests/}: the digest when there is one (it wins over the tag), else the tag, else null. */
    public String manifestReference() {
        return digest != null ? digest : tag;
    }

    @Override
    public String toString() {
        return repositoryUrl() + (tag == null ? "" : ":" + tag) + (digest == null ? "" : "@" + digest);
    }

    /** What is wrong with these parts, or null when they form a valid reference. */
    private static String problem(String registry, String repository, String tag, String digest) {
        String problem = registryProblem(registry);
        if (problem == null) {
            problem = repositoryProblem(registry, repository);
        }
        if (problem == null && tag != null) {
            problem = tagProblem(tag);
        }
        if (problem == null && digest != null) {
            problem = digestProblem(digest);
        }
        return problem;
    }

    private static String canonicalRegistry(String registry) {
        String host = registry.toLowerCase(Locale.ROOT);
        return DOCKER_HUB_ALIASES.contains(host) ? DOCKER_HUB : host;
    }

    private static String registryProblem(String registry) {
        Matcher host = HOST.matcher(registry);
        if (!host.matches()) {
            return "the registry host \"" + registry
                    + "\" is not a host name, IPv4 or [IPv6] address with an optional :port";
        }
        if (host.group(1) != null && (Integer.parseInt(host.group(1)) < 1 || Integer.parseInt(host.group(1)) > 65535)) {
            return "the registry port " + host.group(1) + " is not between 1 and 65535";
        }
        return null;
    }

    private static String repositoryProblem(String registry, String repository) {
        if (repository.isEmpty()) {
            return "the repository path is empty";
        }
        for (String component : repository.split("/", -1)) {
            if (component.isEmpty()) {
                return "the repository \"" + repository
                        + "\" has an empty path component (a leading, trailing or double /)";
            }
            if (!COMPONENT.matcher(component).matches()) {
                if (COMPONENT.matcher(component.toLowerCase(Locale.ROOT)).matches()) {
                    return "the repository \"" + repository + "\" must be lower case (OCI repository names allow no"
                            + " upper-case letters): use \"" + repository.toLowerCase(Locale.ROOT) + "\"";
                }
                return "the repository path component \"" + component
                        + "\" is invalid: components are lower-case letters"
                        + " and digits, separated inside by '.', '_', '__' or dashes, and cannot start or end with a separator";
            }
        }
        if (registry.length() + 1 + repository.length() > MAX_NAME_LENGTH) {
            return "registry and repository together are longer than " + MAX_NAME_LENGTH + " characters";
        }
        return null;
    }

    private static String tagProblem(String tag) {
        if (tag.contains("+")) {
            return "the tag \"" + tag
                    + "\" contains '+', which OCI tags cannot hold; Helm stores a '+' in a chart version"
                    + " as '_' in the tag: use the tag \"" + tag.replace('+', '_')
                    + "\", or leave the tag out and give "
                    + tag + " as the version (--version)";
        }
        if (!TAG.matcher(tag).matches()) {
            return "the tag \"" + tag
                    + "\" is invalid: a tag is 1 to 128 of A-Z a-z 0-9 _ . - and does not start with . or -";
        }
        return null;
    }

    private static String digestProblem(String digest) {
        if (digest == null) {
            return "the digest is missing";
        }
        int colon = digest.indexOf(':');
        if (colon < 0) {
            return "the digest \"" + digest + "\" has no algorithm: write sha256:<64 lower-case hex digits>";
        }
        String algorithm = digest.substring(0, colon);
        String hex = digest.substring(colon + 1);
        Pattern expected;
        int length;
        switch (algorithm) {
            case "sha256" -> {
                expected = SHA256;
                length = 64;
            }
            case "sha512" -> {
                expected = SHA512;
                length = 128;
            }
            default -> {
                return "the digest algorithm \"" + algorithm + "\" is not supported: use sha256 (or sha512)";
            }
        }
        if (expected.matcher(hex).matches()) {
            return null;
        }
        if (expected.matcher(hex.toLowerCase(Locale.ROOT)).matches()) {
            return "the digest \"" + digest + "\" must be written in lower-case hex: use " + algorithm + ":"
                    + hex.toLowerCase(Locale.ROOT);
        }
        if (hex.length() != length) {
            return "the " + algorithm + " digest has " + hex.length() + " characters after '" + algorithm
                    + ":', expected " + length + " hex digits";
        }
        return "the digest \"" + digest + "\" contains characters other than hex digits 0-9 a-f";
    }

    private static EngineException invalid(String problem) {
        return new EngineException(
                Reason.InvalidReference, "Invalid chart reference: " + problem + ". Expected form: " + EXPECTED_FORM);
    }

    /** The reference with any user-info before the host replaced, so messages never carry credentials. */
    private static String redacted(String reference) {
        int start = reference.indexOf("://");
        int from = start < 0 ? 0 : start + 3;
        int slash = reference.indexOf('/', from);
        int at = reference.lastIndexOf('@', slash < 0 ? reference.length() : slash);
        return at >= from ? reference.substring(0, from) + "<redacted>" + reference.substring(at) : reference;
    }
}
