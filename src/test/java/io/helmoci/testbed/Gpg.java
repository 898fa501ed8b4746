package io.helmoci.testbed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The real GnuPG, in a GNUPGHOME of its own (never ~/.gnupg), to make the keys Helm signs provenance
 * files with. Keys have no passphrase. {@link #close()} stops the gpg-agent this home started.
 */
public final class Gpg implements AutoCloseable {
    private static final Duration TIMEOUT = Duration.ofMinutes(2);

    private final Path home;
    private final IsolatedTool tool;

    /** A generated key: its fingerprint, 16-hex-digit key id and user id. */
    public record Key(String fingerprint, String keyId, String userId) {}

    public Gpg(Path home) {
        this.home = home;
        this.tool = new IsolatedTool(Tools::gpg, home, Map.of("GNUPGHOME", home.toString(), "HOME", home.toString()));
        try {
            Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwx------"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public ProcessRunner.Result run(List<String> args) {
        List<String> batch = new ArrayList<>(List.of("--batch", "--no-tty"));
        batch.addAll(args);
        return tool.run(home, batch, null);
    }

    /** An RSA-2048 signing key without passphrase for {@code Name <email>} (RSA: every Helm version reads it). */
    public Key generateKey(String name, String email) {
        String userId = name + " <" + email + ">";
        run(List.of(
                        "--pinentry-mode",
                        "loopback",
                        "--passphrase",
                        "",
                        "--quick-gen-key",
                        userId,
                        "rsa2048",
                        "sign",
                        "never"))
                .orThrow();
        String colons =
                run(List.of("--with-colons", "--list-keys", userId)).orThrow().stdout();
        String fingerprint = colons.lines()
                .filter(l -> l.startsWith("fpr:"))
                .map(l -> l.split(":")[9])
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no fingerprint in gpg output:\n" + colons));
        return new Key(fingerprint, fingerprint.substring(fingerprint.length() - 16), userId);
    }

    /** {@code gpg --export} (binary public keyring): what {@code helm verify --keyring} and the engine read. */
    public Path exportPublicKeyring(Key key, Path file) {
        run(List.of("--yes", "--output", file.toString(), "--export", key.fingerprint()))
                .orThrow();
        return file;
    }

    /** {@code gpg --export-secret-keys}: the keyring {@code helm package --sign --keyring} reads. */
    public Path exportSecretKeyring(Key key, Path file) {
        run(List.of(
                        "--pinentry-mode",
                        "loopback",
                        "--passphrase",
                        "",
                        "--yes",
                        "--output",
                        file.toString(),
                        "--export-secret-keys",
                        key.fingerprint()))
                .orThrow();
        return file;
    }

    @Override
    public void close() {
        Path gpgconf = Tools.gpg().resolveSibling("gpgconf");
        if (Files.isExecutable(gpgconf)) {
            ProcessRunner.run(List.of(gpgconf.toString(), "--kill", "gpg-agent"), tool.env(), home, null, TIMEOUT);
        }
    }
}
