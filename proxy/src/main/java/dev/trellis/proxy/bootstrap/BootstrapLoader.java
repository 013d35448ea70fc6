package dev.trellis.proxy.bootstrap;

import com.google.protobuf.DynamicMessage;
import com.google.protobuf.ExtensionRegistry;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.trellis.proxy.config.ConfigException;
import dev.trellis.proxy.config.Fields;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Loads an Envoy v3 {@link Bootstrap} from a YAML or JSON file. */
public final class BootstrapLoader {
    private BootstrapLoader() {}

    /** Bootstrap fields we implement, plus those that only tune Envoy internals and that we may ignore. */
    private static final Set<String> SUPPORTED = Set.of(
            "node",
            "static_resources",
            "dynamic_resources",
            "admin",
            // Ignored: runtime layers, stats tuning and watchdogs change no routing behaviour.
            "layered_runtime",
            "stats_config",
            "stats_flush_interval",
            "watchdog",
            "watchdogs",
            "overload_manager",
            "enable_dispatcher_stats",
            "use_tcp_for_dns_lookups");

    private static final Pattern FIELD = Pattern.compile("Cannot find field: (\\S+)");
    private static final Pattern TYPE = Pattern.compile("(?:Cannot find type for url|Cannot resolve type): (\\S+)");

    public static Bootstrap load(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read: " + e.getMessage());
        }
        return parse(text, file.toString());
    }

    public static Bootstrap parse(String text, String source) {
        YamlJson.Result yaml = YamlJson.convert(text, source);
        // JsonFormat fills a DynamicMessage (driven by descriptors alone), which is then re-read as the generated class
        // from its wire form. Parsing into the generated builder directly would initialise reflective accessors for
        // every message type it meets, loading hundreds of classes: that was most of the bootstrap's parse time.
        DynamicMessage.Builder b = DynamicMessage.newBuilder(Bootstrap.getDescriptor());
        Bootstrap bootstrap;
        try {
            JsonFormat.parser().usingTypeRegistry(ExtensionTypes.registry()).merge(yaml.json(), b);
            bootstrap = Bootstrap.parseFrom(b.build().toByteString(), ExtensionRegistry.getEmptyRegistry());
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            throw new ConfigException(describe(e, yaml, source), e);
        }
        Fields.requireOnly(bootstrap, source + ": bootstrap", SUPPORTED);
        return bootstrap;
    }

    /** Turns a protobuf JSON error into "file:line: what" naming the field or extension. */
    static String describe(Exception e, YamlJson.Result yaml, String source) {
        String msg = e.getMessage() == null ? e.toString() : e.getMessage();
        // JsonFormat wraps the cause's message: keep the innermost, most specific one.
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            if (t.getMessage() != null) {
                msg = t.getMessage();
            }
        }
        Matcher f = FIELD.matcher(msg);
        if (f.find()) {
            String field = f.group(1);
            int line = yaml.lineOf(field);
            String in = msg.substring(f.end()).replaceFirst("^\\s*in message\\s*", "");
            return source + (line > 0 ? ":" + line : "") + ": unknown field '" + field + "'"
                    + (in.isEmpty() ? "" : " in " + in);
        }
        Matcher t = TYPE.matcher(msg);
        if (t.find()) {
            String url = t.group(1);
            int line = yaml.lineOf(url);
            return source + (line > 0 ? ":" + line : "") + ": unsupported extension type '" + url
                    + "' (Trellis implements: " + supportedTypes() + ")";
        }
        return source + ": invalid bootstrap: " + msg;
    }

    private static String supportedTypes() {
        StringBuilder sb = new StringBuilder();
        for (var d : ExtensionTypes.DESCRIPTORS) {
            if (!sb.isEmpty()) {
                sb.append(", ");
            }
            sb.append(d.getFullName());
        }
        return sb.toString();
    }
}
