package dev.trellis.control.cli;

import java.io.IOException;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * What every command that reads the control plane's debug endpoints shares: where the control plane is, the output
 * format, and the fetch, which reports a failure in one line naming the command.
 */
final class DebugEndpointOptions {

    /** The output formats, as istioctl names them. */
    enum Format {
        table,
        json
    }

    @Option(
            names = "--control-plane",
            defaultValue = "http://127.0.0.1:15014",
            description = "The control plane's monitoring URL. Default: ${DEFAULT-VALUE}.")
    String controlPlane;

    @Option(
            names = {"-o", "--output"},
            defaultValue = "table",
            description = "Output format: ${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}.")
    Format output;

    boolean json() {
        return output == Format.json;
    }

    /** The endpoint's body; null after printing {@code trellis <command>: <why>} to the command's error stream. */
    String fetch(CommandLine.Model.CommandSpec spec, String path) {
        try {
            return new DebugClient(controlPlane).get(path);
        } catch (IOException e) {
            spec.commandLine().getErr().println("trellis " + spec.name() + ": " + e.getMessage());
            return null;
        }
    }
}
