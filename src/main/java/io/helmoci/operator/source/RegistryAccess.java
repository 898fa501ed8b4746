package io.helmoci.operator.source;

import io.helmoci.engine.registry.Credentials;

/**
 * How to authenticate to and reach a registry, as read from the resource's Secrets.
 * {@link #toString()} shows which parts are present, never their values.
 *
 * @param dockerConfigJson a Docker config.json ({"auths": {...}}) with entries per registry host; may be null
 * @param username         basic-auth user name for the chart's registry; null unless password is set too
 * @param password         basic-auth password
 * @param caPem            PEM CA certificates to trust instead of the JVM defaults; may be null
 * @param clientCertPem    PEM client certificate for mutual TLS; may be null
 * @param clientKeyPem     its PEM private key; null exactly when clientCertPem is null
 * @param plainHttp        talk plain HTTP (spec.insecure)
 * @param proxy            the proxy of spec.proxySecretRef for every request of this resource; null = the operator's environment
 * @param cloudCredentials registry credentials exchanged from a cloud workload identity (spec.provider); when
 *                         set they are used instead of the Secrets; may be null
 */
public record RegistryAccess(
        String dockerConfigJson,
        String username,
        String password,
        String caPem,
        String clientCertPem,
        String clientKeyPem,
        boolean plainHttp,
        ProxyAccess proxy,
        Credentials cloudCredentials) {

    public RegistryAccess(
            String dockerConfigJson,
            String username,
            String password,
            String caPem,
            String clientCertPem,
            String clientKeyPem,
            boolean plainHttp) {
        this(dockerConfigJson, username, password, caPem, clientCertPem, clientKeyPem, plainHttp, null, null);
    }

    public RegistryAccess(
            String dockerConfigJson,
            String username,
            String password,
            String caPem,
            String clientCertPem,
            String clientKeyPem,
            boolean plainHttp,
            ProxyAccess proxy) {
        this(dockerConfigJson, username, password, caPem, clientCertPem, clientKeyPem, plainHttp, proxy, null);
    }

    /** The same access with registry credentials from a cloud workload identity instead of the Secrets. */
    public RegistryAccess withCloudCredentials(Credentials credentials) {
        return new RegistryAccess(
                dockerConfigJson,
                username,
                password,
                caPem,
                clientCertPem,
                clientKeyPem,
                plainHttp,
                proxy,
                credentials);
    }

    public static RegistryAccess anonymous(boolean plainHttp) {
        return new RegistryAccess(null, null, null, null, null, null, plainHttp);
    }

    public boolean hasBasicAuth() {
        return username != null && password != null;
    }

    @Override
    public String toString() {
        return "RegistryAccess[dockerConfig=" + (dockerConfigJson != null) + ", basicAuth=" + hasBasicAuth() + ", ca="
                + (caPem != null) + ", clientCertificate=" + (clientCertPem != null) + ", plainHttp=" + plainHttp
                + ", proxy=" + proxy + ", cloudIdentity=" + (cloudCredentials != null) + "]";
    }
}
