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
