package io.helmoci.engine.verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.helmoci.engine.EngineException;
import io.helmoci.engine.Reason;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A notation trust policy document ({@code trustpolicy.json} or {@code trustpolicy.oci.json},
 * version 1.0), validated as notation validates it, and the statement that applies to a repository.
 */
final class NotationTrustPolicy {
    /** The checks notation's verification levels switch between enforce, log and skip. */
    enum Check {
        INTEGRITY,
        AUTHENTICITY,
        AUTHENTIC_TIMESTAMP,
        EXPIRY,
        REVOCATION
    }

    enum Action {
        ENFORCE,
        LOG,
        SKIP
    }

    /** One trust policy statement. */
    record Statement(
            String name,
            List<String> registryScopes,
            String level,
            Map<Check, Action> actions,
            List<String> trustStores,
            List<String> trustedIdentities) {
        Action action(Check check) {
            return actions.get(check);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, List<Action>> LEVELS = Map.of(
            // integrity, authenticity, authenticTimestamp, expiry, revocation (notation's verification levels)
            "strict", List.of(Action.ENFORCE, Action.ENFORCE, Action.ENFORCE, Action.ENFORCE, Action.ENFORCE),
            "permissive", List.of(Action.ENFORCE, Action.ENFORCE, Action.LOG, Action.LOG, Action.LOG),
            "audit", List.of(Action.ENFORCE, Action.LOG, Action.LOG, Action.LOG, Action.LOG),
            "skip", List.of(Action.SKIP, Action.SKIP, Action.SKIP, Action.SKIP, Action.SKIP));

    private final List<Statement> statements;

    private NotationTrustPolicy(List<Statement> statements) {
        this.statements = statements;
    }

    static NotationTrustPolicy parse(byte[] document) {
        if (document == null || document.length == 0) {
            throw malformed("is missing");
        }
        JsonNode root;
        try {
            root = JSON.readTree(document);
        } catch (IOException e) {
            throw malformed("is not JSON (" + e.getMessage() + ")");
        }
        if (root == null || !"1.0".equals(root.path("version").asText())) {
            throw malformed("has version '"
                    + (root == null ? null : root.path("version").asText()) + "'; notation supports \"1.0\"");
        }
        JsonNode policies = root.path("trustPolicies");
        if (!policies.isArray() || policies.isEmpty()) {
            throw malformed("has no trustPolicies");
        }
        List<Statement> statements = new ArrayList<>();
        Set<String> names = new HashSet<>();
        Set<String> scopes = new HashSet<>();
        for (JsonNode policy : policies) {
            String name = policy.path("name").asText("");
            if (name.isBlank() || !names.add(name)) {
                throw malformed("has a statement with an empty or duplicate name '" + name + "'");
            }
            List<String> registryScopes = strings(policy.path("registryScopes"));
            if (registryScopes.isEmpty()) {
                throw malformed("statement '" + name + "' has no registryScopes");
            }
            if (registryScopes.contains("*") && registryScopes.size() > 1) {
                throw malformed("statement '" + name + "' mixes the wildcard '*' with other registryScopes");
            }
            for (String scope : registryScopes) {
                if (!scopes.add(scope)) {
                    throw malformed("names registry scope '" + scope + "' in more than one statement");
                }
            }
            JsonNode verification = policy.path("signatureVerification");
            String level = verification.path("level").asText("").toLowerCase(Locale.ROOT);
            List<Action> defaults = LEVELS.get(level);
            if (defaults == null) {
                throw malformed("statement '" + name + "' has signatureVerification level '" + level
                        + "'; use strict, permissive, audit or skip");
            }
            Map<Check, Action> actions = new EnumMap<>(Check.class);
            for (Check check : Check.values()) {
                actions.put(check, defaults.get(check.ordinal()));
            }
            verification.path("override").fields().forEachRemaining(override -> {
                Check check = switch (override.getKey()) {
                    case "authenticity" -> Check.AUTHENTICITY;
                    case "authenticTimestamp" -> Check.AUTHENTIC_TIMESTAMP;
                    case "expiry" -> Check.EXPIRY;
                    case "revocation" -> Check.REVOCATION;
                    default ->
                        throw malformed("statement '" + name + "' overrides '" + override.getKey()
                                + "'; only authenticity, authenticTimestamp, expiry and revocation can be overridden");
                };
                if ("skip".equals(level)) {
                    throw malformed("statement '" + name + "' overrides checks of level skip");
                }
                try {
                    actions.put(
                            check, Action.valueOf(override.getValue().asText("").toUpperCase(Locale.ROOT)));
                } catch (IllegalArgumentException e) {
                    throw malformed("statement '" + name + "' has override action '"
                            + override.getValue().asText() + "'; use enforce, log or skip");
                }
            });
            List<String> trustStores = strings(policy.path("trustStores"));
            List<String> identities = strings(policy.path("trustedIdentities"));
            if ("skip".equals(level)) {
                if (!trustStores.isEmpty() || !identities.isEmpty()) {
                    throw malformed(
                            "statement '" + name + "' has level skip but names trustStores or trustedIdentities");
                }
            } else {
                if (trustStores.isEmpty() || identities.isEmpty()) {
                    throw malformed("statement '" + name + "' needs trustStores and trustedIdentities");
                }
                for (String store : trustStores) {
                    if (!store.matches("(ca|signingAuthority|tsa):[A-Za-z0-9_.-]+")) {
                        throw malformed("statement '" + name + "' names trust store '" + store
                                + "'; use ca:<name> or signingAuthority:<name>");
                    }
                }
                if (identities.contains("*") && identities.size() > 1) {
                    throw malformed("statement '" + name + "' mixes the wildcard '*' with other trustedIdentities");
                }
                for (String identity : identities) {
                    if (!identity.equals("*") && !identity.startsWith("x509.subject:")) {
                        throw malformed("statement '" + name + "' has trusted identity '" + identity
                                + "'; use '*' or 'x509.subject: <DN>'");
                    }
                    if (!identity.equals("*")
                            && !hasMandatoryAttributes(identity.substring("x509.subject:".length()))) {
                        throw malformed("statement '" + name + "' has trusted identity '" + identity
                                + "' without the C, ST (or S) and O attributes notation requires at a minimum");
                    }
                }
            }
            statements.add(new Statement(name, registryScopes, level, actions, trustStores, identities));
        }
        return new NotationTrustPolicy(statements);
    }

    /** The statement for {@code host[:port]/repository}: the one naming it exactly, else the wildcard one. */
    Statement applicableTo(String repository) {
        Statement wildcard = null;
        for (Statement statement : statements) {
            if (statement.registryScopes().contains(repository)) {
                return statement;
            }
            if (statement.registryScopes().contains("*")) {
                wildcard = statement;
            }
        }
        if (wildcard == null) {
            throw new EngineException(
                    Reason.VerificationPolicyInvalid,
                    "The notation trust policy has no statement whose registryScopes" + " include '" + repository
                            + "' and no wildcard '*' statement. Add the repository to a statement's registryScopes.");
        }
        return wildcard;
    }

    /** notation: a trusted identity's DN must name C, ST (or S) and O at least. */
    private static boolean hasMandatoryAttributes(String dn) {
        Set<String> types = new HashSet<>();
        try {
            for (javax.naming.ldap.Rdn rdn : new javax.naming.ldap.LdapName(dn.trim()).getRdns()) {
                types.add(rdn.getType().toUpperCase(Locale.ROOT));
            }
        } catch (javax.naming.InvalidNameException | IllegalArgumentException e) {
            return false;
        }
        return types.contains("C") && (types.contains("ST") || types.contains("S")) && types.contains("O");
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        for (JsonNode value : array) {
            values.add(value.asText());
        }
        return values;
    }

    private static EngineException malformed(String problem) {
        return new EngineException(
                Reason.VerificationPolicyInvalid,
                "The notation trust policy " + problem
                        + ". Fix it as 'notation policy import' would accept it (see the notation trust policy specification).");
    }
}
