package dev.trellis.api.analyze;

import dev.trellis.api.codec.ConfigLoader;
import dev.trellis.api.codec.LoadFailure;
import dev.trellis.api.codec.LoadResult;
import dev.trellis.api.validation.Severity;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code trellis analyze PATH...}: istioctl's {@code analyze --use-kube=false} for files, directories and stdin.
 *
 * <p>Exit codes: 0 when no message reaches the failure threshold (Error by default); 79 (istioctl's
 * {@code ExitAnalyzerFoundIssues}) when one does; 2 for bad usage or input that cannot be read or parsed (and no
 * analyzer error).
 */
@Command(
        name = "analyze",
        mixinStandardHelpOptions = true,
        description = {
            "Analyze Istio configuration across resources and print messages with Istio's codes (IST0101, ...).",
            "Resources without a namespace are in the one given by --namespace (default: default)."
        },
        footer = {
            "",
            "Exit status: 0 no issue at or above --failure-threshold; 79 issues found (as istioctl);"
                    + " 2 unreadable input or bad usage.",
            "",
            "Examples:",
            "  trellis analyze samples/bookinfo/",
            "  trellis analyze -o json virtual-service.yaml destination-rule.yaml",
            "  cat config.yaml | trellis analyze -"
        })
public final class AnalyzeCommand implements Callable<Integer> {

    /** istioctl's exit code when analyzers found issues at or above the failure threshold. */
    public static final int EXIT_ISSUES_FOUND = 79;

    public static final int EXIT_BAD_INPUT = 2;

    @Parameters(paramLabel = "PATH", arity = "0..*", description = "Files, directories (recursively), or - for stdin.")
    List<String> paths = new ArrayList<>();

    @Option(
            names = {"-n", "--namespace"},
            defaultValue = "default",
            description =
                    "Namespace of resources that name none, and whose messages are shown (default: ${DEFAULT-VALUE}).")
    String namespace;

    @Option(
            names = {"-A", "--all-namespaces"},
            description = "Show messages for resources of every namespace.")
    boolean allNamespaces;

    @Option(
            names = {"-o", "--output"},
            defaultValue = "log",
            description = "Output format: log, json or yaml (default: ${DEFAULT-VALUE}).")
    String output;

    @Option(
            names = "--output-threshold",
            defaultValue = "Info",
            description = "Lowest level shown: Info, Warning or Error (default: ${DEFAULT-VALUE}).")
    String outputThreshold;

    @Option(
            names = "--failure-threshold",
            defaultValue = "Error",
            description = "Lowest level that makes the exit status non-zero: Info, Warning or Error "
                    + "(default: ${DEFAULT-VALUE}).")
    String failureThreshold;

    @Option(
            names = {"-S", "--suppress"},
            paramLabel = "CODE=RESOURCE",
            description = "Suppress a code on a resource, e.g. \"IST0102=Namespace default\" or "
                    + "\"IST0101=VirtualService default/*\" (* matches anything). Repeatable.")
    List<String> suppress = new ArrayList<>();

    @Option(
            names = {"-L", "--list-analyzers"},
            description = "List the analyzers and exit.")
    boolean listAnalyzers;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public AnalyzeCommand() {}

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (listAnalyzers) {
            for (Analyzer a : Analysis.ALL) {
                out.println("* " + a.name() + ":");
                out.println("    " + a.description());
            }
            out.flush();
            return 0;
        }
        OutputFormat format = OutputFormat.parse(output);
        if (format == null) {
            return usage(err, output + " not a valid option for format: use log, json or yaml");
        }
        Severity outLevel = level(outputThreshold);
        if (outLevel == null) {
            return usage(err, "invalid --output-threshold " + outputThreshold + ": use Info, Warning or Error");
        }
        Severity failLevel = level(failureThreshold);
        if (failLevel == null) {
            return usage(err, "invalid --failure-threshold " + failureThreshold + ": use Info, Warning or Error");
        }
        List<String[]> suppressions = new ArrayList<>();
        for (String s : suppress) {
            int eq = s.indexOf('=');
            if (eq <= 0 || eq == s.length() - 1) {
                return usage(
                        err,
                        s
                                + " is not a valid suppression value: use CODE=RESOURCE, e.g. IST0101=VirtualService default/reviews");
            }
            String code = s.substring(0, eq);
            if (MessageType.ALL.stream().noneMatch(t -> t.code().equals(code))) {
                err.println("Warning: Supplied message code '" + code
                        + "' is an unknown message code and will not have any effect.");
            }
            suppressions.add(new String[] {code, s.substring(eq + 1)});
        }
        if (paths.isEmpty()) {
            return usage(
                    err, "nothing to analyze: give files, directories, or - for stdin (there is no cluster to read)");
        }
        List<Path> inputs = new ArrayList<>();
        for (String p : paths) {
            inputs.add(Path.of(p));
        }
        LoadResult loaded = ConfigLoader.load(inputs);
        for (LoadFailure f : loaded.failures()) {
            err.println("Error(s) adding files: " + f.format());
        }
        List<Message> all = new ArrayList<>();
        for (Message m : Analysis.run(loaded, namespace, allNamespaces)) {
            if (!suppressed(m, suppressions)) {
                all.add(m);
            }
        }
        List<Message> shown = all.stream()
                .filter(m -> m.level().ordinal() <= outLevel.ordinal())
                .toList();
        String target = allNamespaces ? "all namespaces" : "namespace: " + namespace;
        String rendered = format.render(shown);
        if (!rendered.isEmpty()) {
            out.print(rendered);
        }
        out.flush();
        if (shown.isEmpty()) {
            if (loaded.failures().isEmpty()) {
                err.println("\u2714 No validation issues found when analyzing " + target + ".");
            } else {
                int n = loaded.failures().size();
                err.println("No validation issues found when analyzing " + target + " (but " + n
                        + (n == 1 ? " file" : " files") + " could not be parsed).");
            }
        }
        boolean failed = all.stream().anyMatch(m -> m.level().ordinal() <= failLevel.ordinal());
        if (failed && format == OutputFormat.LOG) {
            err.println("Error: Analyzers found issues when analyzing " + target + ".");
            err.println("See https://istio.io/latest/docs/reference/config/analysis for more information about causes "
                    + "and resolutions.");
        }
        err.flush();
        if (failed) {
            return EXIT_ISSUES_FOUND;
        }
        return loaded.failures().isEmpty() ? 0 : EXIT_BAD_INPUT;
    }

    private int usage(PrintWriter err, String message) {
        err.println("trellis analyze: " + message);
        err.flush();
        return EXIT_BAD_INPUT;
    }

    private static Severity level(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "info" -> Severity.INFO;
            case "warning", "warn" -> Severity.WARNING;
            case "error" -> Severity.ERROR;
            default -> null;
        };
    }

    private static boolean suppressed(Message m, List<String[]> suppressions) {
        for (String[] s : suppressions) {
            if (s[0].equals(m.code()) && glob(s[1], m.resourceName())) {
                return true;
            }
        }
        return false;
    }

    static boolean glob(String pattern, String value) {
        StringBuilder re = new StringBuilder();
        for (char c : pattern.toCharArray()) {
            re.append(c == '*' ? ".*" : java.util.regex.Pattern.quote(String.valueOf(c)));
        }
        return value.matches(re.toString());
    }
}
