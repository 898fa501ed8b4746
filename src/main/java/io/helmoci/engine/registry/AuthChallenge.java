package io.helmoci.engine.registry;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One challenge of a {@code WWW-Authenticate} header (RFC 9110 §11.6.1): a scheme and its
 * parameters. Quoted values may hold commas, spaces and escaped quotes, as in
 * {@code scope="repository:host:5000/a/b:pull,push"}.
 *
 * @param scheme lower-cased, e.g. {@code bearer} or {@code basic}
 * @param params parameter names lower-cased
 */
public record AuthChallenge(String scheme, Map<String, String> params) {

    public AuthChallenge {
        params = Map.copyOf(params);
    }

    public String realm() {
        return params.get("realm");
    }

    public String service() {
        return params.get("service");
    }

    /** The {@code error} parameter, e.g. {@code insufficient_scope} or {@code invalid_token}; null if absent. */
    public String error() {
        return params.get("error");
    }

    /** The space-separated scopes of the {@code scope} parameter. */
    public List<String> scopes() {
        String scope = params.get("scope");
        if (scope == null || scope.isBlank()) {
            return List.of();
        }
        return Arrays.stream(scope.trim().split("\\s+")).toList();
    }

    public boolean isBearer() {
        return scheme.equals("bearer");
    }

    public boolean isBasic() {
        return scheme.equals("basic");
    }

    /** Every challenge in every given header value, in order. Malformed trailing text is ignored. */
    public static List<AuthChallenge> parse(List<String> headerValues) {
        List<AuthChallenge> challenges = new ArrayList<>();
        for (String value : headerValues) {
            new Parser(value).parseInto(challenges);
        }
        return challenges;
    }

    /** The first challenge whose scheme is bearer, else basic, else null. */
    public static AuthChallenge preferred(List<AuthChallenge> challenges) {
        return challenges.stream()
                .filter(AuthChallenge::isBearer)
                .findFirst()
                .orElseGet(() -> challenges.stream()
                        .filter(AuthChallenge::isBasic)
                        .findFirst()
                        .orElse(null));
    }

    /**
     * Splits a scope {@code type:name:actions} at the FIRST and LAST colon, because the name may
     * contain {@code host:port} (distribution docs, spec/auth/scope.md). Returns null if malformed.
     */
    public static String[] splitScope(String scope) {
        int first = scope.indexOf(':');
        int last = scope.lastIndexOf(':');
        if (first <= 0 || last == first || last == scope.length() - 1) {
            return null;
        }
        return new String[] {scope.substring(0, first), scope.substring(first + 1, last), scope.substring(last + 1)};
    }

    private static final class Parser {
        private final String text;
        private int pos;

        Parser(String text) {
            this.text = text == null ? "" : text;
        }

        void parseInto(List<AuthChallenge> out) {
            while (true) {
                skipSeparators();
                String scheme = token();
                if (scheme.isEmpty()) {
                    return;
                }
                Map<String, String> params = new LinkedHashMap<>();
                while (true) {
                    int save = pos;
                    skipSeparators();
                    String name = token();
                    skipSpaces();
                    if (name.isEmpty() || pos >= text.length() || text.charAt(pos) != '=') {
                        pos = save; // not a parameter: the next challenge's scheme (or the end)
                        break;
                    }
                    pos++;
                    skipSpaces();
                    params.put(name.toLowerCase(Locale.ROOT), value());
                }
                out.add(new AuthChallenge(scheme.toLowerCase(Locale.ROOT), params));
                if (pos >= text.length() || token68Follows()) {
                    return;
                }
            }
        }

        /** Stops on text that is neither a parameter nor a scheme (a token68 blob we do not use). */
        private boolean token68Follows() {
            int save = pos;
            skipSeparators();
            boolean stuck = pos < text.length() && token().isEmpty();
            pos = save;
            return stuck;
        }

        private String value() {
            if (pos < text.length() && text.charAt(pos) == '"') {
                StringBuilder value = new StringBuilder();
                pos++;
                while (pos < text.length()) {
                    char c = text.charAt(pos++);
                    if (c == '\\' && pos < text.length()) {
                        value.append(text.charAt(pos++));
                    } else if (c == '"') {
                        break;
                    } else {
                        value.append(c);
                    }
                }
                return value.toString();
            }
            int start = pos;
            while (pos < text.length() && text.charAt(pos) != ',' && !Character.isWhitespace(text.charAt(pos))) {
                pos++;
            }
            return text.substring(start, pos);
        }

        private String token() {
            int start = pos;
            while (pos < text.length() && isTokenChar(text.charAt(pos))) {
                pos++;
            }
            return text.substring(start, pos);
        }

        private void skipSpaces() {
            while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
                pos++;
            }
        }

        private void skipSeparators() {
            while (pos < text.length() && (text.charAt(pos) == ',' || Character.isWhitespace(text.charAt(pos)))) {
                pos++;
            }
        }

        private static boolean isTokenChar(char c) {
            return c > 0x20 && c < 0x7f && "()<>@,;:\\\"/[]?={} \t".indexOf(c) < 0;
        }
    }
}
