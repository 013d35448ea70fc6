package dev.trellis.api.cli;

import dev.trellis.api.codec.ConfigLoader;
import dev.trellis.api.codec.LoadFailure;
import dev.trellis.api.codec.LoadResult;
import dev.trellis.api.codec.SkippedResource;
import dev.trellis.api.validation.ConfigValidator;
import dev.trellis.api.validation.Diagnostic;
import dev.trellis.api.validation.Severity;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code trellis validate PATH...}: checks Istio configuration like {@code istioctl validate}. Exit 0 when every
 * resource is valid, 1 with one line per problem, 2 when input cannot be read or is not well-formed YAML/JSON.
 */
@Command(
        name = "validate",
        mixinStandardHelpOptions = true,
        description = {
            "Validate Istio configuration (YAML or JSON): files, directories (recursively) or - for stdin.",
            "Kinds outside the Istio model (Gateway API, cert-manager, ...) are listed as skipped.",
            "Exit status: 0 all valid, 1 problems found (one line each), 2 unreadable input or malformed YAML."
        })
public final class ValidateCommand implements Callable<Integer> {

    @Parameters(arity = "1..*", paramLabel = "PATH", description = "Files, directories, or - for stdin.")
    List<String> paths = new ArrayList<>();

    @Spec
    CommandSpec spec;

    public ValidateCommand() {}

    /** Runs the command on its own (without the rest of the CLI), e.g. from the api module's classpath. */
    public static void main(String[] args) {
        System.exit(new picocli.CommandLine(new ValidateCommand()).execute(args));
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<Path> ps = new ArrayList<>();
        for (String p : paths) {
            ps.add(Path.of(p));
        }
        LoadResult result = ConfigLoader.load(ps);
        List<Diagnostic> problems = new ArrayList<>(result.diagnostics());
        problems.addAll(ConfigValidator.standard().validate(result.resources()));
        // One file at a time in input order, top to bottom (stable: messages on one line keep their order).
        Map<String, Integer> fileOrder = new HashMap<>();
        result.resources().forEach(r -> fileOrder.putIfAbsent(r.origin().file(), fileOrder.size()));
        problems.forEach(d -> fileOrder.putIfAbsent(d.origin().file(), fileOrder.size()));
        problems.sort(Comparator.comparingInt(
                        (Diagnostic d) -> fileOrder.get(d.origin().file()))
                .thenComparingInt(d -> d.origin().line()));

        for (LoadFailure f : result.failures()) {
            err.println(f.format());
        }
        int errors = 0;
        Set<String> invalid = new HashSet<>();
        for (Diagnostic d : problems) {
            out.println(
                    d.severity() == Severity.ERROR ? d.format() : d.severity().label() + ": " + d.format());
            if (d.severity() == Severity.ERROR) {
                errors++;
                invalid.add(d.origin().file() + "|" + d.resourceName());
            }
        }
        int total = result.resources().size() + result.rejected();
        StringBuilder summary = new StringBuilder();
        summary.append("validated ").append(total).append(total == 1 ? " resource" : " resources");
        if (!result.skipped().isEmpty()) {
            Map<String, Integer> kinds = new LinkedHashMap<>();
            for (SkippedResource s : result.skipped()) {
                kinds.merge(s.kindAndVersion(), 1, Integer::sum);
            }
            List<String> parts = new ArrayList<>();
            kinds.forEach((k, n) -> parts.add(n == 1 ? k : k + " x" + n));
            summary.append(", skipped ")
                    .append(result.skipped().size())
                    .append(" (kinds outside the Istio model: ")
                    .append(String.join(", ", parts))
                    .append(')');
        }
        if (errors > 0) {
            summary.append("; ")
                    .append(errors)
                    .append(errors == 1 ? " problem" : " problems")
                    .append(" in ")
                    .append(invalid.size())
                    .append(invalid.size() == 1 ? " resource" : " resources");
        }
        if (!result.failures().isEmpty()) {
            summary.append("; ")
                    .append(result.failures().size())
                    .append(result.failures().size() == 1 ? " input" : " inputs")
                    .append(" could not be read or parsed");
        }
        (errors > 0 || !result.failures().isEmpty() ? err : out).println(summary);
        out.flush();
        err.flush();
        if (!result.failures().isEmpty()) {
            return 2;
        }
        return errors > 0 ? 1 : 0;
    }
}
