package io.helmoci.engine.chart;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The name of a tar entry, checked for safety and split into the top-level directory and the path
 * inside it. Follows Helm's archive loader (a {@code \} separates like {@code /}; absolute paths,
 * parent references, Windows drive paths and files at the archive root are refused) but stricter:
 * {@code ..} is refused anywhere, not only where it escapes, and so are control characters and a
 * leading {@code /} (Helm strips the first component of {@code /tmp/x} and reads it as {@code tmp/x}).
 *
 * @param top  the first path component (the chart directory)
 * @param path the path inside it, {@code /}-separated, without {@code .} or empty components; "" for the directory itself
 */
record EntryPath(String top, String path) {
    private static final Pattern DRIVE = Pattern.compile("^[a-zA-Z]:");
    private static final Pattern DRIVE_INSIDE = Pattern.compile("^[a-zA-Z]:/");
    private static final String REPACKAGE = "Package the chart with 'helm package', which writes safe relative paths";

    static EntryPath parse(String rawName, boolean directory, String label) {
        if (rawName.isEmpty()) {
            throw refuse(label + "an entry has an empty name", REPACKAGE);
        }
        if (rawName.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw refuse(
                    label + "the entry " + quoted(rawName) + " has a control character in its name", "Rename the file");
        }
        String name = rawName.replace('\\', '/');
        if (name.startsWith("/")) {
            throw refuse(
                    label + "the entry " + quoted(rawName)
                            + " has an absolute path (Helm: chart illegally contains absolute paths)",
                    REPACKAGE);
        }
        if (DRIVE.matcher(name).find()) {
            throw refuse(label + "the entry " + quoted(rawName) + " has a Windows drive path", REPACKAGE);
        }
        String[] parts = name.split("/");
        String top = parts[0];
        if (top.equals(".") || top.equals("..")) {
            throw refuse(
                    label + "the entry " + quoted(rawName) + " starts with " + top + "/ instead of the chart directory",
                    "Create the archive with 'helm package' (or 'tar -czf chart.tgz mychart', without ./)");
        }
        if (!directory && parts.length > 1 && parts[1].isEmpty()) {
            // Helm strips the first component and then finds an absolute path.
            throw refuse(
                    label + "the entry " + quoted(rawName)
                            + " has an absolute path inside the chart directory (Helm: chart"
                            + " illegally contains absolute paths)",
                    REPACKAGE);
        }
        List<String> inside = new ArrayList<>();
        for (int i = 1; i < parts.length; i++) {
            if (parts[i].equals("..")) {
                throw refuse(
                        label + "the entry " + quoted(rawName) + " refers to a parent directory with '..'", REPACKAGE);
            }
            if (!parts[i].isEmpty() && !parts[i].equals(".")) {
                inside.add(parts[i]);
            }
        }
        String path = String.join("/", inside);
        if (!directory && path.isEmpty()) {
            throw refuse(
                    label + "the file " + quoted(rawName)
                            + " is at the top of the archive, outside the chart directory (Helm:"
                            + " chart illegally contains content outside the base directory)",
                    "Put every file inside one directory" + " named after the chart, as 'helm package' does");
        }
        if (DRIVE_INSIDE.matcher(path).find()) {
            throw refuse(
                    label + "the entry " + quoted(rawName)
                            + " has a Windows drive path (Helm: chart contains illegally named files)",
                    REPACKAGE);
        }
        return new EntryPath(top, path);
    }

    /** The entry as a user sees it in the archive. */
    String display() {
        return path.isEmpty() ? top + "/" : top + "/" + path;
    }

    /** The name in quotes, control characters escaped. */
    static String quoted(String name) {
        StringBuilder out = new StringBuilder("\"");
        name.chars()
                .forEach(c ->
                        out.append(c < 0x20 || c == 0x7f ? String.format("\\x%02x", c) : String.valueOf((char) c)));
        return out.append('"').toString();
    }

    private static RuntimeException refuse(String problem, String remedy) {
        return MetadataReader.invalid(problem, remedy);
    }
}
