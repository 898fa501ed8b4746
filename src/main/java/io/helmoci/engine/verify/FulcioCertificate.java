package io.helmoci.engine.verify;

import io.helmoci.engine.Reason;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.ASN1TaggedObject;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.OtherName;
import org.bouncycastle.cert.X509CertificateHolder;

/**
 * Who a keyless signing certificate names, read the way Fulcio writes it: the identity is the
 * Subject Alternative Name (email, URI, or Fulcio's username other-name), the OIDC issuer is the
 * {@code 1.3.6.1.4.1.57264.1.8} extension (a DER UTF8String), or the deprecated
 * {@code 1.3.6.1.4.1.57264.1.1} (raw bytes) in certificates from older Fulcio releases.
 */
record FulcioCertificate(String subject, String issuer) {
    static final ASN1ObjectIdentifier ISSUER_V2 = new ASN1ObjectIdentifier("1.3.6.1.4.1.57264.1.8");
    static final ASN1ObjectIdentifier ISSUER_V1 = new ASN1ObjectIdentifier("1.3.6.1.4.1.57264.1.1");
    static final ASN1ObjectIdentifier USERNAME = new ASN1ObjectIdentifier("1.3.6.1.4.1.57264.1.7");

    static FulcioCertificate of(X509Certificate certificate) {
        X509CertificateHolder holder;
        try {
            holder = new X509CertificateHolder(certificate.getEncoded());
        } catch (IOException | CertificateEncodingException e) {
            throw new SignatureRefusedException(Reason.CertificateInvalid, "its certificate cannot be parsed");
        }
        List<String> identities = new ArrayList<>();
        GeneralNames names = GeneralNames.fromExtensions(holder.getExtensions(), Extension.subjectAlternativeName);
        if (names != null) {
            for (GeneralName name : names.getNames()) {
                switch (name.getTagNo()) {
                    case GeneralName.rfc822Name, GeneralName.uniformResourceIdentifier ->
                        identities.add(((ASN1String) name.getName()).getString());
                    case GeneralName.otherName -> {
                        OtherName other = OtherName.getInstance(name.getName());
                        ASN1Encodable value = other.getValue();
                        if (value instanceof ASN1TaggedObject tagged) {
                            value = tagged.getBaseObject();
                        }
                        if (USERNAME.equals(other.getTypeID()) && value instanceof ASN1String text) {
                            identities.add(text.getString());
                        }
                    }
                    default -> {
                        // DNS names and IP addresses do not name a Fulcio signer
                    }
                }
            }
        }
        if (identities.isEmpty()) {
            throw new SignatureRefusedException(
                    Reason.SignerNotTrusted,
                    "its certificate names no signer (no email, URI or username Subject Alternative Name)");
        }
        return new FulcioCertificate(identities.get(0), issuer(holder));
    }

    private static String issuer(X509CertificateHolder holder) {
        Extension v2 = holder.getExtension(ISSUER_V2);
        if (v2 != null && v2.getParsedValue() instanceof ASN1String text) {
            return text.getString();
        }
        Extension v1 = holder.getExtension(ISSUER_V1);
        if (v1 != null) {
            return new String(v1.getExtnValue().getOctets(), StandardCharsets.UTF_8);
        }
        throw new SignatureRefusedException(
                Reason.SignerNotTrusted,
                "its certificate has no OIDC issuer extension (1.3.6.1.4.1.57264.1.8): not issued by Fulcio");
    }
}
