package io.helmoci.engine.verify;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What a verification trusts. Only the fields of the chosen provider are used:
 * <ul>
 * <li>cosign: {@code publicKeys} (PEM; a signature verified by any of them is accepted), or for keyless
 *     {@code identities} and a Sigstore {@code trustedRoot} (keyless is not implemented yet);</li>
 * <li>notation: {@code trustPolicy} (notation's {@code trustpolicy.json} / {@code trustpolicy.oci.json})
 *     and {@code trustStores}: store name as the policy names it ({@code ca:<name>}, {@code tsa:<name>},
 *     {@code signingAuthority:<name>}) to PEM or DER certificate files;</li>
 * <li>helm: {@code keyring}, an OpenPGP public keyring, binary ({@code gpg --export}) or armored.</li>
 * </ul>
 * Two policies with the same content have the same {@link #fingerprint()}, so a verification can be
 * cached per (manifest digest, policy fingerprint).
 */
public record VerificationPolicy(
        Provider provider,
        List<byte[]> publicKeys,
        List<IdentityMatcher> identities,
        byte[] trustedRoot,
        byte[] trustPolicy,
        Map<String, List<byte[]>> trustStores,
        byte[] keyring) {
    /** A keyless signer identity: regular expressions (full match) for the certificate's SAN and OIDC issuer. */
    public record IdentityMatcher(String issuer, String subject) {}

    public VerificationPolicy {
        Objects.requireNonNull(provider, "provider");
        publicKeys = publicKeys == null ? List.of() : List.copyOf(publicKeys);
        identities = identities == null ? List.of() : List.copyOf(identities);
        trustStores = trustStores == null ? Map.of() : Map.copyOf(new TreeMap<>(trustStores));
    }

    public static VerificationPolicy cosignKeys(List<byte[]> pemPublicKeys) {
        return new VerificationPolicy(Provider.COSIGN, pemPublicKeys, List.of(), null, null, null, null);
    }

    public static VerificationPolicy cosignKeyless(List<IdentityMatcher> identities, byte[] trustedRoot) {
        return new VerificationPolicy(Provider.COSIGN, List.of(), identities, trustedRoot, null, null, null);
    }

    public static VerificationPolicy notation(byte[] trustPolicy, Map<String, List<byte[]>> trustStores) {
        return new VerificationPolicy(Provider.NOTATION, List.of(), List.of(), null, trustPolicy, trustStores, null);
    }

    public static VerificationPolicy helm(byte[] keyring) {
        return new VerificationPolicy(Provider.HELM, List.of(), List.of(), null, null, null, keyring);
    }

    /** {@code sha256:<hex>} over every field, in a fixed order: equal content, equal fingerprint. */
    public String fingerprint() {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            List<byte[]> parts = new ArrayList<>();
            parts.add(provider.id().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            parts.addAll(publicKeys);
            identities.forEach(i ->
                    parts.add((i.issuer() + "\n" + i.subject()).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            parts.add(trustedRoot);
            parts.add(trustPolicy);
            trustStores.forEach((name, certs) -> {
                parts.add(name.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                parts.addAll(certs);
            });
            parts.add(keyring);
            for (byte[] part : parts) {
                byte[] bytes = part == null ? new byte[0] : part;
                sha.update(java.nio.ByteBuffer.allocate(8).putLong(bytes.length).array());
                sha.update(bytes);
            }
            return "sha256:" + HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
