package io.helmoci.engine.reference;

// PLACEHOLDER until branch engine-core lands; deleted on merge.
public record OciReference(String registry, String repository, String tag, String digest) {
    public static OciReference parse(String text) {
        String rest = text.startsWith("oci://") ? text.substring(6) : text;
        String digest = null;
        int at = rest.indexOf('@');
        if (at >= 0) {
            digest = rest.substring(at + 1);
            rest = rest.substring(0, at);
        }
        int slash = rest.indexOf('/');
        String registry = rest.substring(0, slash);
        String path = rest.substring(slash + 1);
        String tag = null;
        int colon = path.lastIndexOf(':');
        if (colon >= 0) {
            tag = path.substring(colon + 1);
            path = path.substring(0, colon);
        }
        return new OciReference(registry, path, tag, digest);
    }

    public String apiHost() {
        return registry.equals("docker.io") ? "registry-1.docker.io" : registry;
    }

    public String chartName() {
        return repository.substring(repository.lastIndexOf('/') + 1);
    }

    public String repositoryUrl() {
        return "oci://" + registry + "/" + repository;
    }

    public String pinned(String digest) {
        return registry + "/" + repository + (tag == null ? "" : ":" + tag) + "@" + digest;
    }

    public OciReference withTag(String newTag) {
        return new OciReference(registry, repository, newTag, digest);
    }

    public OciReference withDigest(String newDigest) {
        return new OciReference(registry, repository, tag, newDigest);
    }
}
