package dev.trellis.proxy.bootstrap;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.trellis.proxy.config.ConfigException;
import dev.trellis.proxy.config.Fields;
import dev.trellis.proxy.config.schema.ProtoSchema;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.Node;

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
        Node root = compose(text, source);
        ProtoSchema schema = ProtoSchema.envoy();
        byte[] wire = YamlProtoReader.read(schema, root, schema.messageOf(Bootstrap.class), source);
        Bootstrap bootstrap;
        try {
            bootstrap = Bootstrap.parseFrom(wire);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("the bootstrap's own wire form did not parse", e);
        }
        Fields.requireOnly(bootstrap, source + ": bootstrap", SUPPORTED);
        return bootstrap;
    }

    /** The YAML (or JSON, which is YAML 1.2) document's node tree, which keeps every line and column. */
    static Node compose(String text, String source) {
        Optional<Node> root;
        try {
            root = new Compose(LoadSettings.builder().setLabel(source).build()).composeString(text);
        } catch (YamlEngineException e) {
            throw new ConfigException(
                    source + ": not valid YAML/JSON: " + e.getMessage().replace('\n', ' '));
        }
        if (root.isEmpty()) {
            throw new ConfigException(source + ": the file is empty");
        }
        return root.get();
    }
}
