package dev.trellis.api.codec;

import dev.trellis.api.model.Resource;
import dev.trellis.api.validation.Diagnostic;
import dev.trellis.api.validation.Severity;
import java.util.ArrayList;
import java.util.List;

/**
 * What loading produced.
 *
 * @param resources the resources that passed schema validation, typed, in input order
 * @param skipped documents of kinds outside the model
 * @param diagnostics schema problems; a resource with an error here is not in {@code resources}
 * @param failures unreadable input or malformed YAML/JSON; such a file contributes nothing else
 * @param rejected how many resources were left out because of errors in {@code diagnostics}
 */
public record LoadResult(
        List<Resource<?>> resources,
        List<SkippedResource> skipped,
        List<Diagnostic> diagnostics,
        List<LoadFailure> failures,
        int rejected) {

    public LoadResult {
        resources = List.copyOf(resources);
        skipped = List.copyOf(skipped);
        diagnostics = List.copyOf(diagnostics);
        failures = List.copyOf(failures);
    }

    /** True when every document was read and every resource of the model is schema-valid. */
    public boolean ok() {
        return failures.isEmpty() && diagnostics.stream().noneMatch(d -> d.severity() == Severity.ERROR);
    }

    /** The loaded resources whose spec is of this record class, e.g. {@code ofType(VirtualService.class)}. */
    @SuppressWarnings("unchecked")
    public <S> List<Resource<S>> ofType(Class<S> specClass) {
        List<Resource<S>> out = new ArrayList<>();
        for (Resource<?> r : resources) {
            if (specClass.isInstance(r.spec())) {
                out.add((Resource<S>) r);
            }
        }
        return out;
    }

    /** This result followed by another's. */
    public LoadResult plus(LoadResult other) {
        List<Resource<?>> r = new ArrayList<>(resources);
        r.addAll(other.resources);
        List<SkippedResource> s = new ArrayList<>(skipped);
        s.addAll(other.skipped);
        List<Diagnostic> d = new ArrayList<>(diagnostics);
        d.addAll(other.diagnostics);
        List<LoadFailure> f = new ArrayList<>(failures);
        f.addAll(other.failures);
        return new LoadResult(r, s, d, f, rejected + other.rejected);
    }
}
