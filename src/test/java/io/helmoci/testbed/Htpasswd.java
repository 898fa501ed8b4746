package io.helmoci.testbed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Map;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

/** Writes an htpasswd file with bcrypt ({@code $2y$}) hashes, the only kind distribution accepts. */
public final class Htpasswd {
    // The lowest cost Go's bcrypt accepts: the file is for tests, and every login checks it.
    private static final int COST = 4;

    private Htpasswd() {}

    public static Path write(Path file, Map<String, String> users) {
        SecureRandom random = new SecureRandom();
        StringBuilder lines = new StringBuilder();
        users.forEach((user, password) -> {
            byte[] salt = new byte[16];
            random.nextBytes(salt);
            lines.append(user)
                    .append(':')
                    .append(OpenBSDBCrypt.generate("2y", password.toCharArray(), salt, COST))
                    .append('\n');
        });
        try {
            return Files.writeString(file, lines);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
