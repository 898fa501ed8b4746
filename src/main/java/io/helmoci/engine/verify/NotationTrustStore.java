package io.helmoci.engine.verify;

import io.helmoci.engine.EngineException;
import io.helmoci.engine.Reason;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** A notation trust store directory as {@code notation cert add} lays it out, read into a policy's trust stores. */
public final class NotationTrustStore {
    private NotationTrustStore() {}

    /** {@code x509/<type>/<name>/<files>} to {@code "<type>:<name>" -> file contents}. */
    public static Map<String, List<byte[]>> read(Path root) {
        Map<String, List<byte[]>> stores = new TreeMap<>();
        Path x509 = root.resolve("x509");
        if (!Files.isDirectory(x509)) {
            throw new EngineException(
                    Reason.VerificationPolicyInvalid,
                    "The notation trust store " + root + " has no x509 directory."
                            + " Give --trust-store DIR with DIR/x509/ca/<name>/<certificate files>, as 'notation cert add' lays it out.");
        }
        try (Stream<Path> types = Files.list(x509)) {
            for (Path type : types.filter(Files::isDirectory).toList()) {
                try (Stream<Path> names = Files.list(type)) {
                    for (Path name : names.filter(Files::isDirectory).toList()) {
                        List<byte[]> files = new ArrayList<>();
                        try (Stream<Path> certs = Files.list(name)) {
                            for (Path cert :
                                    certs.filter(Files::isRegularFile).sorted().toList()) {
                                files.add(Files.readAllBytes(cert));
                            }
                        }
                        stores.put(type.getFileName() + ":" + name.getFileName(), files);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the trust store " + root + ": " + e.getMessage(), e);
        }
        return stores;
    }
}
