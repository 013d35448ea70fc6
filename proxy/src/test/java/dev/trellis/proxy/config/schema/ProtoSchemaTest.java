package dev.trellis.proxy.config.schema;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import dev.trellis.proxy.bootstrap.ExtensionTypes;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The build's table says what protobuf's descriptors say, for every message reachable from its roots. */
class ProtoSchemaTest {
    private final ProtoSchema schema = ProtoSchema.envoy();

    @Test
    void everyReachableMessageMatchesItsDescriptor() {
        Deque<Descriptor> todo = new ArrayDeque<>(allMessagesOfTheRootsFiles());
        Set<String> seen = new HashSet<>();
        while (!todo.isEmpty()) {
            Descriptor d = todo.poll();
            if (!seen.add(d.getFullName())) {
                continue;
            }
            MessageSchema m = schema.message(d.getFullName());
            assertThat(m).as(d.getFullName()).isNotNull();
            assertThat(m.fullName()).isEqualTo(d.getFullName());
            assertThat(m.name()).isEqualTo(d.getName());
            assertThat(m.fields()).as(d.getFullName()).hasSize(d.getFields().size());
            for (FieldDescriptor f : d.getFields()) {
                FieldSchema s = m.field(f.getNumber());
                String where = d.getFullName() + "." + f.getName();
                assertThat(s.name()).as(where).isEqualTo(f.getName());
                assertThat(m.field(f.getName())).as(where).isSameAs(s);
                assertThat(m.field(f.getJsonName())).as(where).isSameAs(s);
                assertThat(s.jsonName()).as(where).isEqualTo(f.getJsonName());
                assertThat(s.kind().name()).as(where).isEqualTo(f.getType().name());
                assertThat(s.repeated()).as(where).isEqualTo(f.isRepeated());
                assertThat(s.map()).as(where).isEqualTo(f.isMapField());
                assertThat(s.oneof())
                        .as(where)
                        .isEqualTo(
                                f.getRealContainingOneof() == null
                                        ? -1
                                        : f.getRealContainingOneof().getIndex());
                if (f.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
                    assertThat(s.messageType().fullName())
                            .as(where)
                            .isEqualTo(f.getMessageType().getFullName());
                    todo.add(f.getMessageType());
                } else if (f.getJavaType() == FieldDescriptor.JavaType.ENUM) {
                    EnumSchema e = s.enumType();
                    assertThat(e.fullName()).isEqualTo(f.getEnumType().getFullName());
                    assertThat(e.names())
                            .containsExactlyElementsOf(f.getEnumType().getValues().stream()
                                    .map(EnumValueDescriptor::getName)
                                    .toList());
                    for (EnumValueDescriptor v : f.getEnumType().getValues()) {
                        assertThat(e.number(v.getName())).isEqualTo(v.getNumber());
                    }
                }
            }
        }
        assertThat(schema.messageCount()).isEqualTo(seen.size());
    }

    @Test
    void generatedClassesFindTheirMessage() {
        for (Class<? extends Message> type :
                List.of(Bootstrap.class, Cluster.class, RouteMatch.class, Cluster.LbSubsetConfig.class)) {
            MessageSchema m = schema.messageOf(type);
            assertThat(m).as(type.getName()).isNotNull();
            assertThat(m.javaClass()).isEqualTo(type.getName());
            assertThat(m.fullName())
                    .isEqualTo(com.google.protobuf.Internal.getDefaultInstance(type)
                            .getDescriptorForType()
                            .getFullName());
        }
        assertThat(schema.messageOf(String.class)).isNull();
        assertThat(schema.message("envoy.config.nope.v3.Nothing")).isNull();
    }

    @Test
    void anyTypesAreTheImplementedExtensions() {
        assertThat(schema.anyTypes().stream().map(MessageSchema::javaClass))
                .containsExactlyElementsOf(
                        ExtensionTypes.TYPES.stream().map(Class::getName).toList());
    }

    @Test
    void theTableHoldsWhatProtobufsJsonRegistryHeld() {
        // The types an Any may name in a bootstrap: as JsonFormat's registry of the same roots resolved them, so no
        // bootstrap that parsed before fails now.
        for (Descriptor d : allMessagesOfTheRootsFiles()) {
            assertThat(schema.message(d.getFullName())).as(d.getFullName()).isNotNull();
        }
        // Only ever named inside an Any (Istio's optional per-route filter config): reachable through no field.
        assertThat(ExtensionTypes.registry().find("envoy.config.route.v3.FilterConfig"))
                .isNotNull();
        assertThat(schema.message("envoy.config.route.v3.FilterConfig")).isNotNull();
    }

    /** Every message of the bootstrap's and the extensions' .proto files and of the files they import. */
    private static List<Descriptor> allMessagesOfTheRootsFiles() {
        Deque<com.google.protobuf.Descriptors.FileDescriptor> files = new ArrayDeque<>();
        files.add(Bootstrap.getDescriptor().getFile());
        ExtensionTypes.descriptors().forEach(d -> files.add(d.getFile()));
        Set<String> seen = new HashSet<>();
        List<Descriptor> all = new java.util.ArrayList<>();
        while (!files.isEmpty()) {
            var file = files.poll();
            if (!seen.add(file.getFullName())) {
                continue;
            }
            files.addAll(file.getDependencies());
            Deque<Descriptor> messages = new ArrayDeque<>(file.getMessageTypes());
            while (!messages.isEmpty()) {
                Descriptor d = messages.poll();
                messages.addAll(d.getNestedTypes());
                all.add(d);
            }
        }
        return all;
    }

    @Test
    void wellKnownTypesAreMarked() {
        assertThat(schema.message("google.protobuf.Duration").wellKnown()).isEqualTo(WellKnown.DURATION);
        assertThat(schema.message("google.protobuf.UInt32Value").wellKnown()).isEqualTo(WellKnown.WRAPPER);
        assertThat(schema.message("google.protobuf.Struct").wellKnown()).isEqualTo(WellKnown.STRUCT);
        assertThat(schema.message("envoy.config.cluster.v3.Cluster").wellKnown())
                .isEqualTo(WellKnown.NONE);
    }
}
