package dev.trellis.api.analyze;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import picocli.CommandLine;

/**
 * Golden-file tests of {@code trellis analyze}, one scenario per directory under {@code src/test/resources/analyze}:
 * its YAML files are analyzed (with the options in its {@code args} file, if any) and what the command prints on
 * stdout and stderr, and its exit status, must equal {@code expected.txt}. Each scenario holds both resources that
 * break the analyzer it is named after and resources that do not, so the golden file shows the analyzer firing and
 * staying quiet. Refresh with {@code -Dgolden.update=true}.
 */
class AnalyzeGoldenTest {

    static final Path SCENARIOS = Path.of("src/test/resources/analyze");

    @TestFactory
    Stream<DynamicTest> scenarios() throws IOException {
        List<Path> dirs;
        try (Stream<Path> s = Files.list(SCENARIOS)) {
            dirs = s.filter(Files::isDirectory).sorted().toList();
        }
        assertThat(dirs).isNotEmpty();
        return dirs.stream()
                .map(dir -> DynamicTest.dynamicTest(dir.getFileName().toString(), () -> check(dir)));
    }

    static String run(List<String> args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new AnalyzeCommand());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args.toArray(String[]::new));
        return out + "--- stderr ---\n" + err + "--- exit " + code + " ---\n";
    }

    private static void check(Path dir) throws IOException {
        List<String> args = new ArrayList<>();
        Path argsFile = dir.resolve("args");
        if (Files.exists(argsFile)) {
            args.addAll(Arrays.asList(Files.readString(argsFile).trim().split("\\s+")));
        }
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(p -> p.toString().endsWith(".yaml")).sorted().forEach(p -> args.add(p.toString()));
        }
        String actual = run(args);
        Path golden = dir.resolve("expected.txt");
        if (Boolean.getBoolean("golden.update")) {
            Files.writeString(golden, actual, StandardCharsets.UTF_8);
        }
        assertThat(golden)
                .as("golden file (create it with -Dgolden.update=true)")
                .exists();
        assertThat(actual).isEqualTo(Files.readString(golden));
    }
}
