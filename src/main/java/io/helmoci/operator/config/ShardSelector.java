package io.helmoci.operator.config;

import io.helmoci.operator.Constants;
import java.util.Optional;
import java.util.regex.Pattern;

/** The label selector of this operator's shard (Flux's semantics): its key, or, without one, every resource without a key. */
public final class ShardSelector {
    /** A label value: at most 63 characters, alphanumerics with '-', '_' or '.' inside. */
    private static final Pattern LABEL_VALUE = Pattern.compile("([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?");

    private ShardSelector() {}

    /** {@code sharding.helmoci.io/key=<key>} with a key, else {@code !sharding.helmoci.io/key}. */
    public static String of(Optional<String> key) {
        String value = key.map(String::trim).orElse("");
        if (value.isEmpty()) {
            return "!" + Constants.SHARDING_KEY_LABEL;
        }
        if (!LABEL_VALUE.matcher(value).matches()) {
            throw new IllegalArgumentException(
                    "helmoci.sharding.key '" + value + "' is not a valid label value: at most 63 characters,"
                            + " letters, digits, '-', '_' and '.', starting and ending with a letter or digit. Fix HELMOCI_SHARDING_KEY.");
        }
        return Constants.SHARDING_KEY_LABEL + "=" + value;
    }
}
