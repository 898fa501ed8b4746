package io.helmoci.engine.registry;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.helmoci.engine.EngineException;
import io.helmoci.engine.Reason;
import io.helmoci.engine.version.HelmVersion;
import io.helmoci.engine.version.VersionSelector;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the pages of one tag list as they stream in, keeping only what version selection can use:
 * tags that are strict semver versions (Helm chooses only among those) and the first few others,
 * as examples for messages. Counts tags and bytes over all pages against {@link TagListLimits},
 * and the per-page cap, so memory stays bounded whatever the registry sends.
 */
final class TagListReader {
    /** Non-semver tags kept to name in messages ("found latest, main, ..."). */
    static final int KEPT_OTHER_TAGS = 5;

    private static final JsonFactory JSON = new JsonFactory();

    private final TagListLimits limits;
    private final int maxPageBytes;
    private final String registry;
    private final String what;
    private final List<String> kept = new ArrayList<>();
    private int others;
    private long tagsSeen;
    private long bytesRead;

    TagListReader(TagListLimits limits, int maxPageBytes, String registry, String what) {
        this.limits = limits;
        this.maxPageBytes = maxPageBytes;
        this.registry = registry;
        this.what = what;
    }

    /** Reads one page ({@code {"name": ..., "tags": [...]}}); {@code body} is not closed here. */
    void readPage(InputStream body) throws IOException {
        try (JsonParser parser = JSON.createParser(new Counting(body))) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw notJson();
            }
            for (JsonToken token = parser.nextToken(); token == JsonToken.FIELD_NAME; token = parser.nextToken()) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if ("tags".equals(field) && value == JsonToken.START_ARRAY) {
                    readTags(parser);
                } else {
                    parser.skipChildren();
                }
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw notJson();
        }
    }

    private void readTags(JsonParser parser) throws IOException {
        for (JsonToken token = parser.nextToken(); token != JsonToken.END_ARRAY; token = parser.nextToken()) {
            if (token == null) {
                throw notJson();
            }
            if (token != JsonToken.VALUE_STRING) {
                parser.skipChildren();
                continue;
            }
            if (++tagsSeen > limits.maxTags()) {
                throw tooLarge("more than " + limits.maxTags() + " tags", limits.maxTagsSetting());
            }
            String tag = parser.getText();
            if (HelmVersion.strict(VersionSelector.versionFor(tag)).isPresent()) {
                kept.add(tag);
            } else if (others++ < KEPT_OTHER_TAGS) {
                kept.add(tag);
            }
        }
    }

    /** The tags kept, in registry order. */
    List<String> tags() {
        return kept;
    }

    long tagsSeen() {
        return tagsSeen;
    }

    private EngineException notJson() {
        return new EngineException(
                Reason.RegistryUnavailable,
                "Registry " + registry + " answered " + what
                        + " with something that is not a JSON tag list. Check the registry.");
    }

    private EngineException tooLarge(String what, String setting) {
        return new EngineException(
                Reason.TagListTooLarge,
                "Registry " + registry + " answered " + this.what + " with " + what
                        + " over all its pages, the limit. Delete old tags from the repository, give an exact version (it needs no"
                        + " tag list), or raise " + setting + " if a list this long is expected.");
    }

    /** Counts bytes against the per-page cap and the budget over all pages, failing as soon as either is crossed. */
    private final class Counting extends FilterInputStream {
        private long page;

        Counting(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            if (n > 0) {
                count(n);
            }
            return n;
        }

        @Override
        public void close() {
            // the caller closes the response
        }

        private void count(int n) {
            page += n;
            bytesRead += n;
            if (page > maxPageBytes) {
                throw new EngineException(
                        Reason.TagListTooLarge,
                        "Registry " + registry + " answered " + what + " with a page of more than " + maxPageBytes
                                + " bytes, the limit for one page. Check the registry.");
            }
            if (bytesRead > limits.maxBytes()) {
                throw tooLarge("more than " + limits.maxBytes() + " bytes", limits.maxBytesSetting());
            }
        }
    }
}
