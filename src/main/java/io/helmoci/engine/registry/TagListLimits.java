package io.helmoci.engine.registry;

import io.helmoci.engine.chart.ChartLimits;

/**
 * Bounds on a repository's tag list across all its pages, so that a registry paginating without
 * end (each page under the per-page cap) cannot fill memory: the listing stops with
 * {@link io.helmoci.engine.Reason#TagListTooLarge} once either bound is crossed.
 *
 * @param maxTags         tags counted over all pages (kept or not)
 * @param maxBytes        response bytes read over all pages
 * @param maxTagsSetting  how the user raises {@code maxTags} where this runs (a flag or a setting), for messages
 * @param maxBytesSetting how the user raises {@code maxBytes}, for messages
 */
public record TagListLimits(int maxTags, long maxBytes, String maxTagsSetting, String maxBytesSetting) {
    public TagListLimits {
        if (maxTags <= 0 || maxBytes <= 0) {
            throw new IllegalArgumentException("tag-list limits must be positive: " + maxTags + ", " + maxBytes);
        }
    }

    public static TagListLimits defaults() {
        return from(ChartLimits.defaults());
    }

    /** The tag-list part of {@code limits}, named in messages as they name their settings. */
    public static TagListLimits from(ChartLimits limits) {
        return new TagListLimits(
                limits.maxTags(),
                limits.maxTagListBytes(),
                limits.setting("maxTags"),
                limits.setting("maxTagListBytes"));
    }
}
