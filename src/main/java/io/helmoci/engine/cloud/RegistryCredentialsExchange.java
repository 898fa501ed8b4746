package io.helmoci.engine.cloud;

/** Exchanges a cloud identity for credentials to one registry, the way that cloud documents it. */
interface RegistryCredentialsExchange {
    /**
     * @param registryHost host[:port] of the registry, already checked to be one of this cloud's (or allowed)
     * @param plainHttp    whether the registry is reached over plain HTTP (only the ACR exchange talks to it)
     * @param http         the client for the cloud's token and exchange endpoints: it follows the same proxy
     *                     rules as the registry requests
     */
    ExchangedCredentials exchange(CloudIdentity identity, String registryHost, boolean plainHttp, CloudHttp http);
}
