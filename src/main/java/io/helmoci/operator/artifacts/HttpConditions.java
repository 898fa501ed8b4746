package io.helmoci.operator.artifacts;

import java.util.Locale;
import java.util.Optional;

/**
 * The parts of HTTP conditional and range requests (RFC 9110 sections 13 and 14) the artifact
 * server needs: {@code If-None-Match} with weak validators, lists and {@code *}; a single
 * {@code Range: bytes=...} (first-last, first-, -suffix), honoured only when {@code If-Range}
 * (if sent) names the current ETag. Several ranges are answered with the whole file, as the RFC allows.
 */
final class HttpConditions {
    /** A satisfiable byte range: {@code first} to {@code last}, inclusive. */
    record ByteRange(long first, long last) {
        long length() {
            return last - first + 1;
        }

        String contentRange(long size) {
            return "bytes " + first + "-" + last + "/" + size;
        }
    }

    /** What to do with a Range header: serve the whole file, a range, or answer 416. */
    record RangeDecision(Optional<ByteRange> range, boolean unsatisfiable) {
        static final RangeDecision WHOLE = new RangeDecision(Optional.empty(), false);
        static final RangeDecision UNSATISFIABLE = new RangeDecision(Optional.empty(), true);
    }

    private HttpConditions() {}

    /** Whether {@code If-None-Match} matches {@code etag} (a strong ETag, quoted) by weak comparison. */
    static boolean noneMatchHits(String ifNoneMatch, String etag) {
        if (ifNoneMatch == null || ifNoneMatch.isBlank()) {
            return false;
        }
        for (String candidate : ifNoneMatch.split(",")) {
            String tag = candidate.trim();
            if (tag.equals("*")) {
                return true;
            }
            if (tag.startsWith("W/")) {
                tag = tag.substring(2);
            }
            if (tag.equals(etag)) {
                return true;
            }
        }
        return false;
    }

    /** How to answer {@code range} for a file of {@code size} bytes, given {@code If-Range} and the file's ETag. */
    static RangeDecision range(String range, String ifRange, String etag, long size) {
        if (range == null || range.isBlank()) {
            return RangeDecision.WHOLE;
        }
        if (ifRange != null && !ifRange.trim().equals(etag)) {
            return RangeDecision.WHOLE; // the client's copy is outdated (or it sent a date): the whole new file
        }
        String spec = range.trim();
        if (!spec.toLowerCase(Locale.ROOT).startsWith("bytes=")) {
            return RangeDecision.WHOLE; // another unit: ignored
        }
        String set = spec.substring("bytes=".length()).trim();
        if (set.contains(",")) {
            return RangeDecision.WHOLE;
        }
        int dash = set.indexOf('-');
        if (dash < 0) {
            return RangeDecision.WHOLE; // malformed: ignored, as the RFC allows
        }
        try {
            String firstText = set.substring(0, dash).trim();
            String lastText = set.substring(dash + 1).trim();
            if (firstText.isEmpty()) {
                long suffix = Long.parseLong(lastText);
                if (suffix <= 0 || size == 0) {
                    return RangeDecision.UNSATISFIABLE;
                }
                return new RangeDecision(Optional.of(new ByteRange(Math.max(0, size - suffix), size - 1)), false);
            }
            long first = Long.parseLong(firstText);
            long last = lastText.isEmpty() ? size - 1 : Math.min(Long.parseLong(lastText), size - 1);
            if (first < 0 || (!lastText.isEmpty() && Long.parseLong(lastText) < first)) {
                return RangeDecision.WHOLE; // invalid: ignored
            }
            if (first >= size) {
                return RangeDecision.UNSATISFIABLE;
            }
            return new RangeDecision(Optional.of(new ByteRange(first, last)), false);
        } catch (NumberFormatException e) {
            return RangeDecision.WHOLE;
        }
    }
}
