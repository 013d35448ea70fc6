package dev.trellis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class TrellisTest {

    private static List<String[]> everyCommandPath(CommandLine cl, List<String> prefix, List<String[]> into) {
        for (var entry : cl.getSubcommands().entrySet()) {
            List<String> path = new ArrayList<>(prefix);
            path.add(entry.getKey());
            into.add(path.toArray(String[]::new));
            everyCommandPath(entry.getValue(), path, into);
        }
        return into;
    }

    @Test
    void everyCommandAnswersHelp() {
        List<String[]> paths = everyCommandPath(Trellis.commandLine(), List.of(), new ArrayList<>());
        assertThat(paths).extracting(p -> p[0]).contains("up", "generate-completion");
        for (String[] path : paths) {
            CommandLine cl = Trellis.commandLine();
            StringWriter out = new StringWriter();
            cl.setOut(new PrintWriter(out));
            String[] args = new String[path.length + 1];
            System.arraycopy(path, 0, args, 0, path.length);
            args[path.length] = "--help";
            assertThat(cl.execute(args)).as(String.join(" ", args)).isZero();
            assertThat(out.toString())
                    .as(String.join(" ", args))
                    .startsWith("Usage: trellis " + String.join(" ", path));
        }
    }

    @Test
    void proxyRunsWithoutTheRestOfTheCommandTree(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        var bootstrap = dir.resolve("b.yaml");
        java.nio.file.Files.writeString(bootstrap, """
                admin:
                  address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
                """);
        StringWriter out = new StringWriter();
        CommandLine proxy = Trellis.proxyCommandLine();
        proxy.setOut(new PrintWriter(out));
        assertThat(proxy.execute("--help")).isZero();
        assertThat(out.toString()).startsWith("Usage: trellis proxy");
        // The dispatch in main: the same options, the same exit codes as through the whole tree.
        assertThat(Main.run("proxy", "--check", "-c", bootstrap.toString())).isZero();
        assertThat(Main.run(
                        "proxy", "--check", "-c", dir.resolve("missing.yaml").toString()))
                .isEqualTo(1);
        assertThat(Main.run("proxy", "--no-such-option")).isEqualTo(2);
    }

    @Test
    void unknownCommandIsAUsageError() {
        CommandLine cl = Trellis.commandLine();
        cl.setErr(new PrintWriter(new StringWriter()));
        assertThat(cl.execute("no-such-command")).isEqualTo(2);
    }

    @Test
    void completionScriptNamesTheCommands() {
        CommandLine cl = Trellis.commandLine();
        StringWriter out = new StringWriter();
        cl.setOut(new PrintWriter(out));
        assertThat(cl.execute("generate-completion")).isZero();
        assertThat(out.toString()).contains("complete -F").contains("up");
        assertThat(out.toString()).containsPattern("commands=\"[^\"]*\\bup\\b");
    }
}
