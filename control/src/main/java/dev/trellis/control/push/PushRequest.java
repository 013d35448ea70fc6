package dev.trellis.control.push;

import java.time.Instant;
import java.util.HashSet;
import java.util.Set;

/**
 * What a push must do.
 *
 * @param full whether listeners, routes and clusters may have changed (config or service changes); false means only
 *     endpoints changed and only EDS is pushed
 * @param hostnames the services whose endpoints changed (for a non-full push); empty with {@code full == false} means
 *     every service's endpoints
 * @param reasons why, for logs and metrics ({@code config}, {@code endpoint}, {@code service}, {@code proxy})
 * @param start when the first merged change happened, for convergence time
 */
public record PushRequest(boolean full, Set<String> hostnames, Set<String> reasons, Instant start) {

    public PushRequest {
        hostnames = Set.copyOf(hostnames);
        reasons = Set.copyOf(reasons);
    }

    public static PushRequest full(String reason) {
        return new PushRequest(true, Set.of(), Set.of(reason), Instant.now());
    }

    public static PushRequest endpoints(Set<String> hostnames) {
        return new PushRequest(false, hostnames, Set.of("endpoint"), Instant.now());
    }

    /** Both changes as one push: full if either is; endpoint hosts add up; "all endpoints" absorbs any list. */
    public PushRequest merge(PushRequest other) {
        boolean f = full || other.full;
        Set<String> hosts;
        if (f) {
            hosts = Set.of();
        } else if (hostnames.isEmpty() || other.hostnames.isEmpty()) {
            hosts = Set.of();
        } else {
            hosts = new HashSet<>(hostnames);
            hosts.addAll(other.hostnames);
        }
        Set<String> r = new HashSet<>(reasons);
        r.addAll(other.reasons);
        return new PushRequest(f, hosts, r, start.isBefore(other.start) ? start : other.start);
    }

    /** True when every service's endpoints may have changed. */
    public boolean allEndpoints() {
        return full || hostnames.isEmpty();
    }
}
