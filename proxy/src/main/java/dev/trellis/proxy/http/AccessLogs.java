package dev.trellis.proxy.http;

import dev.trellis.proxy.config.ConfigException;
import io.envoyproxy.envoy.config.accesslog.v3.AccessLog;
import java.util.List;

/**
 * Access logs. Not implemented yet: a config that asks for one is rejected by name so that nobody believes requests
 * are being logged.
 */
final class AccessLogs {
    private AccessLogs() {}

    static void validate(List<AccessLog> logs, String where) {
        throw new ConfigException(
                where + ": field 'access_log' is not supported yet (access logs arrive with the" + " telemetry work)");
    }
}
