package io.helmoci.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The raw results of a run: one JSON file with a section per suite, each holding tables of rows
 * (records). The engine and operator suites run in separate JVMs and merge into the same file;
 * every row is also printed as it is measured, so a long run shows progress.
 */
final class BenchReport {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path file;
    private final ObjectNode root;

    private BenchReport(Path file, ObjectNode root) {
        this.file = file;
        this.root = root;
    }

    /** Opens {@code file}, keeping what an earlier suite of the same run wrote there. */
    static BenchReport open(Path file) {
        try {
            ObjectNode root =
                    Files.isRegularFile(file) ? (ObjectNode) JSON.readTree(file.toFile()) : JSON.createObjectNode();
            return new BenchReport(file, root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** Replaces {@code section.key} with {@code value} (a record, map or list). */
    void put(String section, String key, Object value) {
        section(section).set(key, JSON.valueToTree(value));
        System.out.println("[bench] " + section + "." + key + ": " + compact(value));
        write();
    }

    /** Appends a row to the table {@code section.table} (a new run of the suite starts the table afresh: see {@link #clear}). */
    void add(String section, String table, Object row) {
        ObjectNode node = section(section);
        ArrayNode rows = node.has(table) ? (ArrayNode) node.get(table) : node.putArray(table);
        rows.add(JSON.valueToTree(row));
        System.out.println("[bench] " + section + "." + table + ": " + compact(row));
        write();
    }

    /** Drops what an earlier run of this suite left in the file. */
    void clear(String section) {
        root.remove(section);
    }

    Path file() {
        return file;
    }

    private ObjectNode section(String name) {
        return root.has(name) ? (ObjectNode) root.get(name) : root.putObject(name);
    }

    /** Written after every row, so an interrupted run keeps what it measured. */
    private void write() {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            JSON.writeValue(file.toFile(), root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static String compact(Object value) {
        try {
            return new ObjectMapper().writeValueAsString(value);
        } catch (IOException e) {
            return String.valueOf(value);
        }
    }
}
