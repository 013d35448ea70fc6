package dev.trellis.api.validation.rules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.api.codec.ConfigLoader;
import dev.trellis.api.codec.LoadResult;
import dev.trellis.api.model.Resource;
import dev.trellis.api.validation.ConfigValidator;
import dev.trellis.api.validation.Diagnostic;
import dev.trellis.api.validation.Severity;
import dev.trellis.api.validation.Validator;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Table-driven tests of every semantic rule, from YAML fixtures under {@code rules/}: each document of
 * {@code rules/invalid/*.yaml} breaks one rule and names the diagnostic it must produce in the annotation
 * {@code test.trellis.dev/expect: "field.path: message"}; every document of {@code rules/valid/*.yaml} must produce no
 * error. Fixtures are schema-valid, so what rejects them is the rule under test.
 */
class RuleFixturesTest {

    static final String EXPECT = "test.trellis.dev/expect";

    private final ConfigValidator validator = ConfigValidator.standard();

    static Path dir(String name) {
        try {
            return Path.of(RuleFixturesTest.class.getResource("/rules/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<Path> files(String name) throws IOException {
        try (Stream<Path> s = Files.list(dir(name))) {
            return s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
    }

    static LoadResult load(Path file) {
        LoadResult loaded = ConfigLoader.load(file);
        assertThat(loaded.failures()).as("%s must parse", file).isEmpty();
        assertThat(loaded.diagnostics())
                .as("fixtures must be schema-valid so that the rule under test is what rejects them")
                .isEmpty();
        return loaded;
    }

    @TestFactory
    Stream<DynamicTest> invalidFixturesAreRejectedWithTheExpectedMessage() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (Path file : files("invalid")) {
            for (Resource<?> r : load(file).resources()) {
                String expect = r.metadata().annotationsOrEmpty().get(EXPECT);
                tests.add(DynamicTest.dynamicTest(r.kind() + " " + r.name(), () -> {
                    assertThat(expect)
                            .as("%s %s names its expected diagnostic", file.getFileName(), r.name())
                            .isNotNull();
                    int colon = expect.indexOf(": ");
                    String path = expect.substring(0, colon);
                    String message = expect.substring(colon + 2);
                    List<Diagnostic> errors = validator.validate(r).stream()
                            .filter(d -> d.severity() == Severity.ERROR)
                            .toList();
                    assertThat(errors).as("errors of %s %s", r.kind(), r.name()).anySatisfy(d -> {
                        assertThat(d.fieldPath()).isEqualTo(path);
                        assertThat(d.message()).contains(message);
                        assertThat(d.origin().line()).as("located at a line").isPositive();
                        assertThat(d.format()).contains(file.getFileName().toString());
                    });
                }));
            }
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> validFixturesPass() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (Path file : files("valid")) {
            for (Resource<?> r : load(file).resources()) {
                tests.add(DynamicTest.dynamicTest(r.kind() + " " + r.name(), () -> assertThat(validator.validate(r))
                        .as("errors of valid %s %s", r.kind(), r.name())
                        .filteredOn(d -> d.severity() == Severity.ERROR)
                        .isEmpty()));
            }
        }
        return tests.stream();
    }

    @Test
    void everyRuleHasInvalidAndValidFixtures() throws IOException {
        Map<String, Integer> invalid = new TreeMap<>();
        Map<String, Integer> valid = new TreeMap<>();
        for (Path f : files("invalid")) {
            load(f).resources().forEach(r -> invalid.merge(r.spec().getClass().getSimpleName(), 1, Integer::sum));
        }
        for (Path f : files("valid")) {
            load(f).resources().forEach(r -> valid.merge(r.spec().getClass().getSimpleName(), 1, Integer::sum));
        }
        for (Validator<?> rule : Rules.ALL) {
            String kind = rule.specType().getSimpleName();
            if (rule instanceof PeerAuthenticationRule) {
                // every invalid PeerAuthentication is already rejected by the CRD schema: SchemaShadowedRulesTest
                assertThat(valid).containsKey(kind);
                continue;
            }
            assertThat(invalid)
                    .as("invalid fixtures for %s", rule.getClass().getSimpleName())
                    .containsKey(kind);
            assertThat(valid)
                    .as("valid fixtures for %s", rule.getClass().getSimpleName())
                    .containsKey(kind);
        }
    }
}
