package io.helmoci.engine.verify;

import io.helmoci.engine.EngineException;
import io.helmoci.engine.Reason;
import io.helmoci.engine.chart.ChartMetadata;
import io.helmoci.engine.registry.Descriptor;
import io.helmoci.engine.registry.MediaTypes;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPPublicKeyRingCollection;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.operator.bc.BcKeyFingerprintCalculator;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentVerifierBuilderProvider;

/**
 * Helm provenance, what {@code helm verify} / {@code helm pull --verify} check, for a chart in OCI:
 * the {@code .prov} layer of the chart manifest is an OpenPGP clear-signed document whose signature
 * must verify with a key of the keyring, and whose {@code files} entry must hold the chart layer's
 * sha256 (in OCI, the archive's sha256 is the layer digest: no download needed). Stricter than Helm:
 * the Chart.yaml part must name the resolved chart's name and version.
 *
 * <p>Registry requests: the chart manifest (none when the caller passes it) and the provenance blob.
 */
final class HelmProvenanceVerifier implements SignatureVerifier {
    private final PGPPublicKeyRingCollection keyring;

    HelmProvenanceVerifier(VerificationPolicy policy) {
        this.keyring = readKeyring(policy.keyring());
    }

    static PGPPublicKeyRingCollection readKeyring(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            throw new EngineException(
                    Reason.VerificationPolicyInvalid,
                    "Helm provenance verification needs an OpenPGP public keyring."
                            + " Export the signer's public key with 'gpg --export KEYID > pubring.gpg' and give that file.");
        }
        try (InputStream in = PGPUtil.getDecoderStream(new ByteArrayInputStream(bytes))) {
            PGPPublicKeyRingCollection rings = new PGPPublicKeyRingCollection(in, new BcKeyFingerprintCalculator());
            if (rings.size() == 0) {
                throw new PGPException("no public keys");
            }
            return rings;
        } catch (IOException | PGPException | RuntimeException e) {
            throw new EngineException(
                    Reason.VerificationPolicyInvalid,
                    "The keyring is not an OpenPGP public keyring (" + e.getMessage()
                            + "). Give the output of 'gpg --export KEYID' (binary or --armor); a secret keyring or a GnuPG 2 .kbx file does not work.");
        }
    }

    @Override
    public VerificationResult verify(SignatureSource source) {
        ArtifactManifest manifest = source.subjectManifest();
        String where =
                source.reference().repositoryUrl() + "@" + source.subject().digest();
        if (MediaTypes.OCI_INDEX.equals(manifest.mediaType())
                || MediaTypes.DOCKER_MANIFEST_LIST.equals(manifest.mediaType())) {
            throw new EngineException(
                    Reason.SignatureNotFound,
                    where + " is an image index; Helm provenance is a layer of a chart"
                            + " manifest. Reference the chart manifest by its digest, or push the chart with 'helm push'.");
        }
        Descriptor provLayer = manifest.layers().stream()
                .filter(l -> MediaTypes.HELM_PROVENANCE.equals(l.mediaType()))
                .findFirst()
                .orElseThrow(() -> new EngineException(
                        Reason.SignatureNotFound,
                        where + " has no provenance layer ("
                                + MediaTypes.HELM_PROVENANCE
                                + "). Sign the chart with 'helm package --sign --key NAME --keyring SECRING'"
                                + " and push the .tgz with its .prov beside it ('helm push' uploads both)."));
        Descriptor chartLayer = manifest.layers().stream()
                .filter(l ->
                        MediaTypes.HELM_CHART.equals(l.mediaType()) || MediaTypes.LEGACY_CHART.equals(l.mediaType()))
                .findFirst()
                .orElseThrow(() -> new EngineException(
                        Reason.NotAHelmChart, where + " has no chart layer. Push the chart with 'helm push'."));
        String what = "The provenance file of " + where;
        ProvenanceDocument prov = ProvenanceDocument.parse(source.blob(provLayer), what);

        PGPSignature signature = prov.signature();
        PGPPublicKey key = keyring(signature.getKeyID());
        if (key == null) {
            throw new EngineException(
                    Reason.SignerNotTrusted,
                    what + " is signed by PGP key " + keyId(signature.getKeyID())
                            + ", which is not in the keyring. Add the signer's public key to the keyring, or sign with a key it holds.");
        }
        if (key.hasRevocation()) {
            throw new EngineException(
                    Reason.SignerNotTrusted,
                    what + " is signed by PGP key " + keyId(signature.getKeyID())
                            + ", which the keyring marks revoked. Sign the chart again with a valid key.");
        }
        try {
            signature.init(new BcPGPContentVerifierBuilderProvider(), key);
            signature.update(prov.signedBytes());
            if (!signature.verify()) {
                throw new EngineException(
                        Reason.SignatureInvalid,
                        what + " has a signature by PGP key " + keyId(signature.getKeyID())
                                + " that does not verify: the provenance text was altered after signing. Package and sign the chart again.");
            }
        } catch (PGPException e) {
            throw new EngineException(
                    Reason.SignatureInvalid,
                    what + " has a signature that cannot be checked (" + e.getMessage()
                            + "). Package and sign the chart again with 'helm package --sign'.");
        }

        String expected = chartLayer.digest();
        if (!prov.files().containsValue(expected)) {
            throw new EngineException(
                    Reason.ProvenanceMismatch,
                    what + " lists " + prov.files() + " but the chart archive's digest is "
                            + expected
                            + " (helm: 'sha256 sum does not match'). The provenance belongs to another archive: package and sign"
                            + " the chart again and push the .tgz with its .prov.");
        }
        ChartMetadata chart = source.chart().orElse(null);
        if (chart != null
                && (!chart.name().equals(prov.name()) || !chart.version().equals(prov.version()))) {
            throw new EngineException(
                    Reason.ProvenanceMismatch,
                    what + " describes chart " + prov.name() + " " + prov.version() + " but the artifact is "
                            + chart.name() + " " + chart.version() + ". Package and sign the chart again.");
        }
        List<String> warnings = new ArrayList<>();
        PGPPublicKey master = master(signature.getKeyID());
        String userId = firstUserId(master);
        String fingerprint = HexFormat.of().formatHex(master.getFingerprint()).toUpperCase(Locale.ROOT);
        return new VerificationResult(
                Provider.HELM,
                source.subject().digest(),
                Signer.pgp(fingerprint, keyId(signature.getKeyID()), userId),
                provLayer.digest(),
                "helm-provenance",
                Instant.now(),
                warnings);
    }

    private PGPPublicKey keyring(long keyId) {
        return keyring.getPublicKey(keyId);
    }

    private PGPPublicKey master(long keyId) {
        for (Iterator<PGPPublicKeyRing> rings = keyring.getKeyRings(); rings.hasNext(); ) {
            PGPPublicKeyRing ring = rings.next();
            if (ring.getPublicKey(keyId) != null) {
                return ring.getPublicKey();
            }
        }
        throw new IllegalStateException("key " + keyId(keyId) + " vanished from the keyring");
    }

    private static String firstUserId(PGPPublicKey key) {
        Iterator<String> ids = key.getUserIDs();
        return ids.hasNext() ? ids.next() : null;
    }

    static String keyId(long keyId) {
        return String.format(Locale.ROOT, "%016X", keyId);
    }
}
