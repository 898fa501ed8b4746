package io.helmoci.engine.registry;

import java.util.List;
import java.util.Locale;

/** Finds the {@code rel="next"} target in RFC 8288 {@code Link} headers, as registries paginate tag lists. */
final class LinkHeader {
    private LinkHeader() {}

    /** The URI reference of the next page (possibly relative), or null when there is none. */
    static String next(List<String> headerValues) {
        for (String header : headerValues) {
            int pos = 0;
            while (pos < header.length()) {
                int open = header.indexOf('<', pos);
                if (open < 0) {
                    break;
                }
                int close = header.indexOf('>', open);
                if (close < 0) {
                    break;
                }
                String target = header.substring(open + 1, close).trim();
                int end = nextLinkStart(header, close + 1);
                if (hasRelNext(header.substring(close + 1, end))) {
                    return target;
                }
                pos = end;
            }
        }
        return null;
    }

    /** Where the parameters of one link end: the next comma outside quotes that precedes a '<'. */
    private static int nextLinkStart(String header, int from) {
        boolean quoted = false;
        for (int i = from; i < header.length(); i++) {
            char c = header.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == ','
                    && !quoted
                    && header.indexOf('<', i) >= 0
                    && header.substring(i + 1).stripLeading().startsWith("<")) {
                return i + 1;
            }
        }
        return header.length();
    }

    private static boolean hasRelNext(String params) {
        for (String param : params.split(";")) {
            String[] nameValue = param.split("=", 2);
            if (nameValue.length == 2 && nameValue[0].trim().equalsIgnoreCase("rel")) {
                String value = nameValue[1].trim();
                if (value.startsWith("\"") && value.endsWith("\"") && value.length() >= 2) {
                    value = value.substring(1, value.length() - 1);
                }
                for (String rel : value.toLowerCase(Locale.ROOT).split("\\s+")) {
                    if (rel.equals("next")) {
                        return true;
                    }
                }
            }
        }
        return false;
    }
}
