package dev.trellis.control.config;

import dev.trellis.api.codec.ConfigLoader;
import dev.trellis.api.codec.LoadFailure;
import dev.trellis.api.codec.LoadResult;
import dev.trellis.api.validation.ConfigValidator;
import dev.trellis.api.validation.Diagnostic;
import dev.trellis.api.validation.Severity;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Loads one config file the way {@code trellis validate} checks it: the api module's loader (syntax and schema), then
 * its semantic rules. Any error rejects the file, with the same messages validate prints.
 */
public final class IstioFiles {

    private static final ConfigValidator RULES = ConfigValidator.standard();

    private IstioFiles() {}

    public static ConfigWatcher.FileLoad load(Path file) {
        LoadResult r = ConfigLoader.load(List.of(file));
        List<String> errors = new ArrayList<>();
        for (LoadFailure f : r.failures()) {
            errors.add(f.format());
        }
        List<Diagnostic> diagnostics = new ArrayList<>(r.diagnostics());
        diagnostics.addAll(RULES.validate(r.resources()));
        for (Diagnostic d : diagnostics) {
            if (d.severity() == Severity.ERROR) {
                errors.add(d.format());
            }
        }
        return new ConfigWatcher.FileLoad(r.resources(), errors);
    }
}
