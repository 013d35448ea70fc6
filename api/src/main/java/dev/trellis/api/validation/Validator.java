package dev.trellis.api.validation;

import dev.trellis.api.model.Resource;
import java.util.List;

/**
 * One semantic rule (or a small family of them) for one kind, run after a resource passed schema validation, so
 * {@code resource.spec()} is the kind's typed record and its fields have the schema's types.
 *
 * <p>To add a rule: write a class implementing this interface and add it to {@link
 * dev.trellis.api.validation.rules.Rules#ALL}. Report problems with {@link Diagnostic#error(Resource, String,
 * String)}, which locates the field's line from its path ({@code spec.http[0].route[1].weight}).
 *
 * @param <S> the spec record of the kind this rule checks, e.g. {@code VirtualService}
 */
public interface Validator<S> {

    /** The spec record class this rule applies to; resources of other kinds are never passed in. */
    Class<S> specType();

    /** The problems in one resource; empty when there are none. Must not throw on any schema-valid input. */
    List<Diagnostic> validate(Resource<S> resource);
}
