package io.helmoci.testbed.cloud;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.helmoci.testbed.KubeApiServerFixture;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Checks a Kubernetes ServiceAccount token as a cloud's identity federation does: the signature
 * against the API server's published keys (/openid/v1/jwks, the issuer discovery document), the
 * issuer, the audience, and the expiry (on a clock the test may move forward, to make a token
 * expired without waiting the API server's 10-minute minimum lifetime).
 */
public final class ServiceAccountTokenVerifier {
    /** Why a token was refused, in the terms a cloud uses. */
    public enum Problem {
        MALFORMED,
        SIGNATURE,
        ISSUER,
        AUDIENCE,
        EXPIRED
    }

    public static final class RejectedToken extends Exception {
        public final Problem problem;

        RejectedToken(Problem problem, String message) {
            super(message);
            this.problem = problem;
        }
    }

    public record Verified(String subject, List<String> audience, Instant expiresAt) {}

    private final JWKSet keys;
    private final String issuer;
    private volatile Duration clockOffset = Duration.ZERO;

    private ServiceAccountTokenVerifier(JWKSet keys, String issuer) {
        this.keys = keys;
        this.issuer = issuer;
    }

    /** The keys and issuer the API server publishes (as a cloud reads them from the issuer URL). */
    public static ServiceAccountTokenVerifier of(KubeApiServerFixture kube) {
        try {
            String discovery = kube.client().raw("/.well-known/openid-configuration");
            String issuer =
                    new ObjectMapper().readTree(discovery).path("issuer").asText();
            return new ServiceAccountTokenVerifier(JWKSet.parse(kube.client().raw("/openid/v1/jwks")), issuer);
        } catch (ParseException | java.io.IOException e) {
            throw new IllegalStateException("the API server's issuer keys cannot be read", e);
        }
    }

    public String issuer() {
        return issuer;
    }

    /** Moves this verifier's clock (positive: tokens look older). */
    public void clockOffset(Duration offset) {
        this.clockOffset = offset;
    }

    public Verified verify(String token, String expectedAudience) throws RejectedToken {
        SignedJWT jwt;
        JWTClaimsSet claims;
        try {
            jwt = SignedJWT.parse(token);
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw new RejectedToken(Problem.MALFORMED, "not a signed JWT");
        }
        JWK key = keys.getKeyByKeyId(jwt.getHeader().getKeyID());
        try {
            if (key == null || !jwt.verify(new RSASSAVerifier(key.toRSAKey()))) {
                throw new RejectedToken(Problem.SIGNATURE, "signature does not verify with the issuer's keys");
            }
        } catch (JOSEException e) {
            throw new RejectedToken(Problem.SIGNATURE, "signature does not verify: " + e.getMessage());
        }
        if (!issuer.equals(claims.getIssuer())) {
            throw new RejectedToken(Problem.ISSUER, "issuer " + claims.getIssuer() + " is not trusted");
        }
        if (claims.getAudience() == null || !claims.getAudience().contains(expectedAudience)) {
            throw new RejectedToken(
                    Problem.AUDIENCE, "audience " + claims.getAudience() + " does not contain " + expectedAudience);
        }
        Instant now = Clock.systemUTC().instant().plus(clockOffset);
        if (claims.getExpirationTime() == null
                || !claims.getExpirationTime().toInstant().isAfter(now)) {
            throw new RejectedToken(Problem.EXPIRED, "token expired at " + claims.getExpirationTime());
        }
        return new Verified(
                claims.getSubject(),
                claims.getAudience(),
                claims.getExpirationTime().toInstant());
    }
}
