package dev.trellis.api.analyze;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.api.model.Origin;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Templates render as Go's fmt renders Istio's, and messages print as istioctl prints them. */
class MessageTypeTest {

    @Test
    void goVerbs() {
        assertThat(MessageType.REFERENCED_RESOURCE_NOT_FOUND.format("host", "reviews"))
                .isEqualTo("Referenced host not found: \"reviews\"");
        assertThat(MessageType.VIRTUAL_SERVICE_DESTINATION_PORT_SELECTOR_REQUIRED.format("multi", List.of(80, 9090)))
                .isEqualTo("This VirtualService routes to a service \"multi\" that exposes multiple ports [80 9090]. "
                        + "Specifying a port in the destination is required to disambiguate.");
        assertThat(MessageType.PORT_NAME_IS_NOT_UNDER_NAMING_CONVENTION.format("web", 80, "8080"))
                .isEqualTo(
                        "Port name web (port: 80, targetPort: 8080) doesn't follow the naming convention of Istio port.");
    }

    @Test
    void codesAreUniqueAndOrdered() {
        List<String> codes = MessageType.ALL.stream().map(MessageType::code).toList();
        assertThat(codes).doesNotHaveDuplicates().isSorted();
    }

    @Test
    void istioctlLine() {
        Message m = new Message(
                MessageType.REFERENCED_RESOURCE_NOT_FOUND,
                "VirtualService",
                "default",
                "reviews",
                new Origin("file.yaml", 12),
                MessageType.REFERENCED_RESOURCE_NOT_FOUND.format("host", "reviews"));
        assertThat(m.format())
                .isEqualTo(
                        "Error [IST0101] (VirtualService default/reviews file.yaml:12) Referenced host not found: \"reviews\"");
    }
}
