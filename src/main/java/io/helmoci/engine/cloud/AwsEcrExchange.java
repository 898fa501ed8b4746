package io.helmoci.engine.cloud;

import io.helmoci.engine.EngineException;
import io.helmoci.engine.Reason;
import io.helmoci.engine.registry.Credentials;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.ContainerCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.SdkSystemSetting;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecr.model.AuthorizationData;
import software.amazon.awssdk.services.ecr.model.GetAuthorizationTokenResponse;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.AssumeRoleWithWebIdentityResponse;

/**
 * IRSA for ECR through the AWS SDK for Java v2: STS AssumeRoleWithWebIdentity with the
 * ServiceAccount token (unsigned, as the SDK's web identity provider sends it), then ECR
 * GetAuthorizationToken (SigV4-signed with the session) whose token decodes to {@code AWS:<password>}.
 * The region comes from the registry host ({@code <account>.dkr.ecr.<region>.amazonaws.com}).
 */
final class AwsEcrExchange implements RegistryCredentialsExchange {
    /** Private ECR: account, optional -fips, region, partition domain. */
    static final Pattern ECR_HOST = Pattern.compile(
            "^(\\d{12})\\.dkr[.-]ecr(?:-fips)?\\.([a-z0-9-]+)\\.(?:amazonaws\\.com(?:\\.cn)?|on\\.aws|sc2s\\.sgov\\.gov|c2s\\.ic\\.gov)(?::\\d+)?$");

    private static final Duration SESSION = Duration.ofHours(1);

    private final Clock clock;
    private final CloudSettings settings;

    AwsEcrExchange(CloudSettings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
    }

    static String regionOf(String registryHost, String fallback) {
        Matcher matcher = ECR_HOST.matcher(registryHost.toLowerCase(Locale.ROOT));
        return matcher.matches() ? matcher.group(2) : fallback;
    }

    @Override
    public ExchangedCredentials exchange(
            CloudIdentity identity, String registryHost, boolean plainHttp, CloudHttp http) {
        boolean webIdentity =
                identity.principal() != null && !identity.principal().isBlank() && identity.tokens() != null;
        boolean podIdentity = identity.principal() == null && identity.tokens() == null && containerCredentialsSet();
        if (!webIdentity && !podIdentity) {
            throw new EngineException(
                    Reason.CloudIdentityNotConfigured,
                    identity.subject() + " has no IAM role for web identity: annotate the ServiceAccount with"
                            + " eks.amazonaws.com/role-arn: arn:aws:iam::<account>:role/<name>, or set AWS_ROLE_ARN"
                            + " and AWS_WEB_IDENTITY_TOKEN_FILE (or, for the operator's own identity, an EKS Pod"
                            + " Identity association: AWS_CONTAINER_CREDENTIALS_FULL_URI).");
        }
        String region = regionOf(registryHost, settings.awsRegion());
        if (region == null) {
            throw new EngineException(
                    Reason.CloudIdentityNotConfigured,
                    "Registry " + registryHost
                            + " does not name an AWS region (<account>.dkr.ecr.<region>.amazonaws.com):"
                            + " set the region (AWS_REGION, helmoci.identity.aws.region).");
        }
        try (SdkHttpClient sdkHttp = new OkHttpSdkClient(http.client())) {
            AwsSessionCredentials session;
            Instant sessionExpiry;
            if (webIdentity) {
                var assumed = assumeRole(identity, region, identity.tokens().token(), sdkHttp, http)
                        .credentials();
                session = AwsSessionCredentials.create(
                        assumed.accessKeyId(), assumed.secretAccessKey(), assumed.sessionToken());
                sessionExpiry = assumed.expiration();
            } else {
                session = podIdentityCredentials(identity);
                sessionExpiry = session.expirationTime().orElse(null);
            }
            GetAuthorizationTokenResponse token = authorizationToken(identity, region, session, sdkHttp, http);
            if (!token.hasAuthorizationData() || token.authorizationData().isEmpty()) {
                throw new EngineException(
                        Reason.CloudIdentityUnavailable,
                        "ECR answered GetAuthorizationToken without authorization data.");
            }
            AuthorizationData data = token.authorizationData().get(0);
            String decoded = new String(Base64.getDecoder().decode(data.authorizationToken()), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            if (colon < 0) {
                throw new EngineException(
                        Reason.CloudIdentityUnavailable,
                        "ECR answered an authorization token that is not user:password.");
            }
            Instant expiry = sessionExpiry == null ? clock.instant().plus(SESSION) : sessionExpiry;
            // The earlier of the session's and the ECR token's expiry; an ECR expiry that is absent or already past
            // (moto answers a fixed date in 2015) is ignored.
            Instant ecrExpiry = data.expiresAt();
            if (ecrExpiry != null && ecrExpiry.isAfter(clock.instant()) && ecrExpiry.isBefore(expiry)) {
                expiry = ecrExpiry;
            }
            return new ExchangedCredentials(
                    Credentials.basic(decoded.substring(0, colon), decoded.substring(colon + 1)), expiry);
        }
    }

    private AssumeRoleWithWebIdentityResponse assumeRole(
            CloudIdentity identity, String region, String webIdentityToken, SdkHttpClient sdkHttp, CloudHttp http) {
        var builder = StsClient.builder()
                .httpClient(sdkHttp)
                .region(Region.of(region))
                .credentialsProvider(AnonymousCredentialsProvider.create());
        if (settings.awsStsEndpoint() != null) {
            builder.endpointOverride(settings.awsStsEndpoint());
        }
        try (StsClient sts = builder.build()) {
            return sts.assumeRoleWithWebIdentity(request -> request.roleArn(identity.principal())
                    .roleSessionName("helm-oci-" + clock.millis())
                    .webIdentityToken(webIdentityToken)
                    .durationSeconds((int) SESSION.toSeconds()));
        } catch (AwsServiceException e) {
            String code = e.awsErrorDetails() == null ? "" : e.awsErrorDetails().errorCode();
            if (e.statusCode() >= 500) {
                throw unavailable("STS", e);
            }
            if ("InvalidIdentityToken".equals(code) || "ExpiredTokenException".equals(code)) {
                throw new EngineException(
                        Reason.CloudIdentityRejected,
                        "AWS STS rejected the ServiceAccount token of " + identity.subject() + " (" + code + "): "
                                + serviceMessage(e)
                                + ". The token must be unexpired, have audience sts.amazonaws.com and come from the"
                                + " cluster's IAM OIDC provider.");
            }
            throw new EngineException(
                    Reason.CloudAccessDenied,
                    "AWS STS refused to let " + identity.subject() + " assume " + identity.principal() + " (" + code
                            + "): " + serviceMessage(e)
                            + ". Allow this ServiceAccount in the role's trust policy (sts:AssumeRoleWithWebIdentity).");
        } catch (SdkClientException e) {
            throw http.proxyFailure(e, endpoint(settings.awsStsEndpoint(), "sts", region), "AWS STS")
                    .orElseGet(() -> unavailable("STS", e));
        }
    }

    private GetAuthorizationTokenResponse authorizationToken(
            CloudIdentity identity,
            String region,
            AwsSessionCredentials session,
            SdkHttpClient sdkHttp,
            CloudHttp http) {
        var builder = EcrClient.builder()
                .httpClient(sdkHttp)
                .region(Region.of(region))
                .credentialsProvider(StaticCredentialsProvider.create(session));
        if (settings.awsEcrEndpoint() != null) {
            builder.endpointOverride(settings.awsEcrEndpoint());
        }
        try (EcrClient ecr = builder.build()) {
            return ecr.getAuthorizationToken();
        } catch (AwsServiceException e) {
            if (e.statusCode() >= 500) {
                throw unavailable("ECR", e);
            }
            throw new EngineException(
                    Reason.CloudAccessDenied,
                    "ECR refused GetAuthorizationToken to "
                            + (identity.principal() == null ? "the Pod Identity role" : "role " + identity.principal())
                            + " of " + identity.subject()
                            + ": " + serviceMessage(e) + ". Allow ecr:GetAuthorizationToken in the role's policy.");
        } catch (SdkClientException e) {
            throw http.proxyFailure(e, endpoint(settings.awsEcrEndpoint(), "api.ecr", region), "AWS ECR")
                    .orElseGet(() -> unavailable("ECR", e));
        }
    }

    /**
     * Whether the process has container credentials: EKS Pod Identity (the agent's
     * AWS_CONTAINER_CREDENTIALS_FULL_URI with AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE) or an ECS task role
     * (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI); read by the SDK from the environment or its system properties.
     */
    static boolean containerCredentialsSet() {
        return SdkSystemSetting.AWS_CONTAINER_CREDENTIALS_FULL_URI
                        .getStringValue()
                        .isPresent()
                || SdkSystemSetting.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI
                        .getStringValue()
                        .isPresent();
    }

    /**
     * The Pod Identity association's role credentials from the EKS Pod Identity agent, through the SDK's
     * container credentials provider (it sends the token file's content as Authorization, re-read each time,
     * and accepts only the agent's link-local or a loopback address). The agent is on the node: never proxied.
     */
    static AwsSessionCredentials podIdentityCredentials(CloudIdentity identity) {
        try (ContainerCredentialsProvider provider = ContainerCredentialsProvider.builder()
                .asyncCredentialUpdateEnabled(false)
                .build()) {
            if (provider.resolveCredentials() instanceof AwsSessionCredentials session) {
                return session;
            }
            throw new EngineException(
                    Reason.CloudIdentityUnavailable,
                    "The EKS Pod Identity agent answered credentials without a session token for " + identity.subject()
                            + ": an unexpected answer.");
        } catch (SdkClientException e) {
            // The SDK's own message only, and not the cause: the JDK's can quote the Authorization header (the token).
            throw new EngineException(
                    Reason.CloudIdentityUnavailable,
                    "No credentials from the EKS Pod Identity agent (AWS_CONTAINER_CREDENTIALS_FULL_URI) for "
                            + identity.subject() + ": " + e.getMessage()
                            + " Check the Pod Identity association of the operator's ServiceAccount and that the"
                            + " eks-pod-identity-agent add-on runs on the node; retried with backoff.");
        }
    }

    /** The endpoint the SDK calls: the override, or the service's regional default (only to name it and route it). */
    private static java.net.URI endpoint(java.net.URI override, String service, String region) {
        return override != null
                ? override
                : java.net.URI.create("https://" + service + "." + region + ".amazonaws.com");
    }

    private static String serviceMessage(AwsServiceException e) {
        String message =
                e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorMessage();
        return message == null ? "HTTP " + e.statusCode() : message;
    }

    private static EngineException unavailable(String service, RuntimeException e) {
        return new EngineException(
                Reason.CloudIdentityUnavailable,
                "AWS " + service + " could not be reached or failed: "
                        + e.getClass().getSimpleName() + ". Check the network path to it; retried with backoff.",
                e);
    }
}
