package dev.trellis.api.schema;

import dev.trellis.api.model.Duration;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The CEL rules ({@code x-kubernetes-validations}) of Istio's CRDs, each implemented in Java and looked up by its
 * exact rule text. We do not embed a CEL interpreter: the rules are few and fixed, and plain Java gives clear
 * messages. A rule text we do not know is skipped (it can only come from a newer schema).
 */
final class CelRules {

    private static final Pattern AT_MOST_ONE =
            Pattern.compile("^(\\(has\\(self\\.(\\w+)\\) \\? 1 : 0\\)( \\+ )?)+ <= 1$");
    private static final Pattern HAS = Pattern.compile("has\\(self\\.(\\w+)\\)");
    private static final Pattern PORT_NAME = Pattern.compile("^[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?$");
    private static final Duration ONE_MS = Duration.ofMillis(1);

    private static final Map<String, Predicate<Object>> RULES = Map.ofEntries(
            Map.entry("duration(self) >= duration('1ms')", self -> {
                try {
                    return Duration.parse((String) self).compareTo(ONE_MS) >= 0;
                } catch (IllegalArgumentException e) {
                    return true; // reported as a syntax error already
                }
            }),
            Map.entry("self.size() == 0", self -> size(self) == 0),
            Map.entry("0 < self && self <= 65535", self -> inPortRange(self)),
            Map.entry("!self.contains(\"*\")", self -> !String.valueOf(self).contains("*")),
            Map.entry("self.all(key, !key.contains(\"*\"))", self -> keys(self).stream()
                    .noneMatch(k -> k.contains("*"))),
            Map.entry("self.all(key, key.size() != 0)", self -> keys(self).stream()
                    .noneMatch(String::isEmpty)),
            Map.entry(
                    "self.startsWith(\"unix://\") ? (self.substring(7, 8) == \"/\" || self.substring(7, 8) == \"@\") :"
                            + " true",
                    self -> {
                        String s = (String) self;
                        return !s.startsWith("unix://")
                                || (s.length() > 7 && (s.charAt(7) == '/' || s.charAt(7) == '@'));
                    }),
            Map.entry("self.startsWith(\"unix://\") ? !self.endsWith(\"/\") : true", self -> {
                String s = (String) self;
                return !s.startsWith("unix://") || !s.endsWith("/");
            }),
            Map.entry(
                    "self.all(key, size(key) < 63 && key.matches(\"^[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?$\"))",
                    self -> keys(self).stream()
                            .allMatch(
                                    k -> k.length() < 63 && PORT_NAME.matcher(k).find())),
            Map.entry(
                    "(has(self.address) ? self.address : \"\").startsWith(\"unix://\") ? !has(self.ports) : true",
                    self -> {
                        Object address = field(self, "address");
                        return !(address instanceof String a && a.startsWith("unix://")) || !has(self, "ports");
                    }),
            Map.entry(
                    "(has(self.valueFrom) ? self.valueFrom : \"\") != \"HOST\" || !has(self.value)",
                    self -> !"HOST".equals(field(self, "valueFrom")) || !has(self, "value")),
            Map.entry("has(self.address) || has(self.network)", self -> has(self, "address") || has(self, "network")),
            Map.entry("url(self).getScheme() in [\"http\", \"https\"]", self -> {
                try {
                    String scheme = new URI((String) self).getScheme();
                    return "http".equals(scheme) || "https".equals(scheme);
                } catch (Exception e) {
                    return false;
                }
            }),
            Map.entry("self != \"*\"", self -> !"*".equals(self)),
            Map.entry("self.all(l1, self.exists_one(l2, l1.number == l2.number))", self -> {
                Set<Object> seen = new HashSet<>();
                for (Object o : list(self)) {
                    if (!seen.add(field(o, "number"))) {
                        return false;
                    }
                }
                return true;
            }),
            Map.entry(
                    "!((has(self.addresses) ? self.addresses : []).exists(k, k.contains(\"/\")) && !((has(self.resolution)"
                            + " ? self.resolution : \"NONE\") in [\"STATIC\", \"NONE\"]))",
                    self -> {
                        boolean cidr = list(field(self, "addresses")).stream()
                                .anyMatch(a -> String.valueOf(a).contains("/"));
                        String resolution = Objects.toString(field(self, "resolution"), "NONE");
                        return !(cidr && !(resolution.equals("STATIC") || resolution.equals("NONE")));
                    }),
            Map.entry(
                    "((has(self.resolution) ? self.resolution : \"NONE\") == \"NONE\") ? !has(self.endpoints) : true",
                    self -> !"NONE".equals(Objects.toString(field(self, "resolution"), "NONE"))
                            || !has(self, "endpoints")),
            Map.entry(
                    "((has(self.resolution) ? self.resolution : \"\") == \"DNS_ROUND_ROBIN\") ? ((has(self.endpoints) ?"
                            + " self.endpoints : []).size() <= 1) : true",
                    self -> !"DNS_ROUND_ROBIN".equals(field(self, "resolution"))
                            || list(field(self, "endpoints")).size() <= 1),
            Map.entry("self in [\"\", \"HTTP\", \"HTTPS\"]", self -> List.of("", "HTTP", "HTTPS")
                    .contains(self)),
            Map.entry(
                    "(has(self.serviceAccounts) || has(self.notServiceAccounts)) ? (!has(self.principals) &&\n"
                            + "!has(self.notPrincipals) && !has(self.namespaces) && !has(self.notNamespaces)) : true",
                    self -> !(has(self, "serviceAccounts") || has(self, "notServiceAccounts"))
                            || (!has(self, "principals")
                                    && !has(self, "notPrincipals")
                                    && !has(self, "namespaces")
                                    && !has(self, "notNamespaces"))),
            Map.entry("self.all(key, 0 < int(key) && int(key) <= 65535)", self -> keys(self).stream()
                    .allMatch(k -> {
                        try {
                            long p = Long.parseLong(k.trim());
                            return p > 0 && p <= 65535;
                        } catch (NumberFormatException e) {
                            return false;
                        }
                    })),
            Map.entry(
                    "has(self.portLevelMtls) ? (((has(self.selector) && has(self.selector.matchLabels)) ?"
                            + " self.selector.matchLabels : {}).size() > 0) : true",
                    self -> !has(self, "portLevelMtls") || size(field(field(self, "selector"), "matchLabels")) > 0),
            Map.entry(
                    "((has(self.operation) ? self.operation : \"\") == \"UPSERT\") ? (self.value != \"\") : true",
                    self -> !"UPSERT".equals(field(self, "operation"))
                            || !"".equals(Objects.toString(field(self, "value"), ""))),
            Map.entry(
                    "((has(self.operation) ? self.operation : \"\") == \"REMOVE\") ? !has(self.value) : true",
                    self -> !"REMOVE".equals(field(self, "operation")) || !has(self, "value")));

    private CelRules() {}

    /** Null when the value satisfies the rule (or the rule is unknown), else the message to show. */
    static String check(Schema.Rule rule, Object self) {
        Predicate<Object> p = RULES.get(rule.rule());
        if (p == null) {
            Matcher m = AT_MOST_ONE.matcher(rule.rule());
            if (!m.matches()) {
                return null;
            }
            List<String> fields = new ArrayList<>();
            Matcher h = HAS.matcher(rule.rule());
            while (h.find()) {
                fields.add(h.group(1));
            }
            List<String> set = fields.stream().filter(f -> has(self, f)).toList();
            return set.size() <= 1 ? null : message(rule) + " (found " + String.join(" and ", set) + ")";
        }
        boolean ok;
        try {
            ok = p.test(self);
        } catch (RuntimeException e) {
            ok = false; // a value of an unexpected shape cannot satisfy the rule
        }
        return ok ? null : message(rule);
    }

    /** Known rule texts, for tests that check every rule of the shipped schema is implemented. */
    static boolean isKnown(String rule) {
        return RULES.containsKey(rule) || AT_MOST_ONE.matcher(rule).matches();
    }

    private static String message(Schema.Rule rule) {
        return rule.message() != null ? rule.message() : "violates " + rule.rule();
    }

    private static boolean has(Object self, String name) {
        return self instanceof Map<?, ?> m && m.get(name) != null;
    }

    private static Object field(Object self, String name) {
        return self instanceof Map<?, ?> m ? m.get(name) : null;
    }

    private static List<?> list(Object o) {
        return o instanceof List<?> l ? l : List.of();
    }

    private static Set<String> keys(Object o) {
        @SuppressWarnings("unchecked")
        Set<String> s = o instanceof Map<?, ?> m ? (Set<String>) m.keySet() : Set.of();
        return s;
    }

    private static int size(Object o) {
        if (o instanceof String s) {
            return s.length();
        }
        if (o instanceof Map<?, ?> m) {
            return m.size();
        }
        if (o instanceof List<?> l) {
            return l.size();
        }
        return 0;
    }

    private static boolean inPortRange(Object o) {
        return o instanceof Number n && n.longValue() > 0 && n.longValue() <= 65535;
    }
}
