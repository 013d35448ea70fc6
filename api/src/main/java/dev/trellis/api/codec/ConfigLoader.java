package dev.trellis.api.codec;

import dev.trellis.api.model.ObjectMeta;
import dev.trellis.api.model.Origin;
import dev.trellis.api.model.Resource;
import dev.trellis.api.schema.IstioSchemas;
import dev.trellis.api.schema.SchemaValidator;
import dev.trellis.api.validation.Diagnostic;
import dev.trellis.api.validation.Severity;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.common.FlowStyle;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;
import org.snakeyaml.engine.v2.schema.CoreSchema;

/**
 * Loads configuration: YAML or JSON, multi-document streams, {@code kind: List}, from files, directories (recursively,
 * {@code *.yaml}, {@code *.yml}, {@code *.json}) and stdin ({@code -}). Every resource of the model is checked
 * against its schema and bound to its typed record; kinds outside the model are skipped; a file that cannot be read
 * or parsed is a {@link LoadFailure} and contributes nothing else.
 *
 * <p>Thread-safe and stateless: {@code ConfigLoader.load(paths)}.
 */
public final class ConfigLoader {

    /** The path that means standard input. */
    public static final String STDIN = "-";

    private static final Set<String> ISTIO_TOP_LEVEL = Set.of("apiVersion", "kind", "metadata", "spec", "status");
    private static final Set<String> ENVELOPE = Set.of("apiVersion", "kind", "metadata");
    private static final CoreSchema CORE_SCHEMA = new CoreSchema();

    private ConfigLoader() {}

    /** Loads every path: files, directories (recursively), or {@code -} for stdin. */
    public static LoadResult load(List<Path> paths) {
        Acc acc = new Acc();
        for (Path p : paths) {
            loadPath(p, acc);
        }
        return acc.result();
    }

    public static LoadResult load(Path... paths) {
        return load(List.of(paths));
    }

    /** Loads one YAML or JSON text; {@code sourceName} is what origins call the file. */
    public static LoadResult loadString(String sourceName, String content) {
        Acc acc = new Acc();
        loadText(sourceName, content, acc);
        return acc.result();
    }

    /** Loads a stream (read fully, not closed). */
    public static LoadResult load(String sourceName, InputStream in) {
        Acc acc = new Acc();
        loadStream(sourceName, in, acc);
        return acc.result();
    }

    private static void loadPath(Path p, Acc acc) {
        String name = p.toString();
        if (name.equals(STDIN)) {
            loadStream("<stdin>", System.in, acc);
            return;
        }
        if (Files.isDirectory(p)) {
            List<Path> files;
            try (Stream<Path> walk = Files.walk(p)) {
                files = walk.filter(Files::isRegularFile)
                        .filter(ConfigLoader::isConfigFile)
                        .sorted()
                        .toList();
            } catch (IOException | java.io.UncheckedIOException e) {
                acc.failures.add(new LoadFailure(name, 0, 0, "cannot read directory: " + reason(e)));
                return;
            }
            // Files are independent: read and check them in parallel, then keep their order.
            List<Acc> parts = files.parallelStream()
                    .map(f -> {
                        Acc part = new Acc();
                        loadFile(f, part);
                        return part;
                    })
                    .toList();
            for (Acc part : parts) {
                acc.add(part);
            }
            return;
        }
        loadFile(p, acc);
    }

    private static boolean isConfigFile(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".yaml") || n.endsWith(".yml") || n.endsWith(".json");
    }

    private static void loadFile(Path p, Acc acc) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(p);
        } catch (NoSuchFileException e) {
            acc.failures.add(new LoadFailure(p.toString(), 0, 0, "no such file or directory"));
            return;
        } catch (IOException e) {
            acc.failures.add(new LoadFailure(p.toString(), 0, 0, "cannot read: " + reason(e)));
            return;
        }
        loadBytes(p.toString(), bytes, acc);
    }

    private static void loadStream(String name, InputStream in, Acc acc) {
        try {
            loadBytes(name, in.readAllBytes(), acc);
        } catch (IOException e) {
            acc.failures.add(new LoadFailure(name, 0, 0, "cannot read: " + reason(e)));
        }
    }

    private static void loadBytes(String name, byte[] bytes, Acc acc) {
        String text;
        try {
            text = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            acc.failures.add(new LoadFailure(name, 0, 0, "not UTF-8 text"));
            return;
        }
        loadText(name, text, acc);
    }

    private static String reason(Exception e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    private static void loadText(String name, String text, Acc acc) {
        if (!text.isEmpty() && text.charAt(0) == '\uFEFF') {
            text = text.substring(1);
        }
        if (looksLikeJson(name, text)) {
            // YAML forbids tabs where JSON allows them as whitespace; JSON strings cannot hold a raw tab, so
            // replacing every tab by a space changes no value and keeps every line and column.
            text = text.replace('\t', ' ');
        }
        List<String> chunks = split(text);
        if (chunks.size() == 1) {
            parse(name, text, acc);
            return;
        }
        // Big streams: documents are independent, so chunks (cut at document markers) parse in parallel.
        List<Acc> parts = chunks.parallelStream()
                .map(chunk -> {
                    Acc part = new Acc();
                    parse(name, chunk, part);
                    return part;
                })
                .toList();
        for (Acc part : parts) {
            if (!part.failures.isEmpty()) {
                acc.failures.add(part.failures.getFirst()); // the file contributes nothing else
                return;
            }
        }
        for (Acc part : parts) {
            acc.add(part);
        }
    }

    private static final int CHUNK_SIZE = 512 * 1024;

    /**
     * Cuts a big stream at document markers ({@code ---} at the start of a line, which ends any scalar in YAML) into
     * about one chunk per core. Each chunk after the first is prefixed by as many newlines as precede it, so lines
     * and columns stay those of the whole stream. Streams with directives ({@code %YAML}) are not cut.
     */
    static List<String> split(String text) {
        return split(text, Runtime.getRuntime().availableProcessors());
    }

    /** As {@link #split(String)} for a machine with {@code cores} cores (tests pin it: CI may have one). */
    static List<String> split(String text, int cores) {
        if (text.length() < 2 * CHUNK_SIZE || cores < 2 || text.startsWith("%") || text.contains("\n%")) {
            return List.of(text);
        }
        int pieces = Math.min(cores * 2, text.length() / CHUNK_SIZE);
        int target = text.length() / pieces;
        List<String> out = new ArrayList<>();
        int start = 0;
        int startLine = 0;
        while (start < text.length()) {
            int cut = start + target >= text.length() ? -1 : nextMarker(text, start + target);
            int end = cut < 0 ? text.length() : cut;
            String body = text.substring(start, end);
            out.add(startLine == 0 ? body : "\n".repeat(startLine) + body);
            startLine += countLines(body);
            start = end;
        }
        return out;
    }

    /** The index of the next line that is a document marker, at or after {@code from}; -1 when none. */
    private static int nextMarker(String text, int from) {
        int i = text.indexOf("\n---", from);
        while (i >= 0) {
            int after = i + 4;
            if (after >= text.length()) {
                return -1;
            }
            char c = text.charAt(after);
            if (c == '\n' || c == '\r' || c == ' ' || c == '\t') {
                return i + 1;
            }
            i = text.indexOf("\n---", after);
        }
        return -1;
    }

    private static int countLines(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == '\n') {
                n++;
            }
        }
        return n;
    }

    private static void parse(String name, String text, Acc acc) {
        LoadSettings settings = LoadSettings.builder()
                .setLabel(name)
                .setSchema(CORE_SCHEMA)
                .setCodePointLimit(Integer.MAX_VALUE)
                .setUseMarks(true)
                .build();
        List<Node> documents = new ArrayList<>();
        try {
            documents.addAll(Composer.composeAll(settings, text));
        } catch (MarkedYamlEngineException e) {
            Mark mark = e.getProblemMark().orElse(e.getContextMark().orElse(null));
            String problem = e.getProblem() == null ? "syntax error" : e.getProblem();
            if (e.getContext() != null && !e.getContext().isBlank()) {
                problem += " (" + e.getContext().trim() + ")";
            }
            acc.failures.add(new LoadFailure(
                    name,
                    mark == null ? 0 : mark.getLine() + 1,
                    mark == null ? 0 : mark.getColumn() + 1,
                    "malformed YAML: " + problem));
            return;
        } catch (YamlEngineException e) {
            acc.failures.add(new LoadFailure(name, 0, 0, "malformed YAML: " + reason(e)));
            return;
        } catch (StackOverflowError e) {
            acc.failures.add(new LoadFailure(name, 0, 0, "malformed YAML: nested too deeply"));
            return;
        }
        boolean mergeKeys = text.contains("<<");
        for (Node doc : documents) {
            try {
                if (mergeKeys) {
                    Nodes.expandMergeKeys(doc);
                }
                document(doc, name, acc);
            } catch (RuntimeException | StackOverflowError e) {
                // A bug or an absurdly deep document must not take the other resources down with it.
                acc.diagnostics.add(new Diagnostic(
                        Severity.ERROR,
                        new Origin(name, Nodes.line(doc)),
                        null,
                        null,
                        null,
                        "",
                        "cannot read this document: " + e));
                acc.rejected++;
            }
        }
    }

    private static boolean looksLikeJson(String name, String text) {
        if (name.toLowerCase(Locale.ROOT).endsWith(".json")) {
            return true;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!Character.isWhitespace(c)) {
                return c == '{' || c == '[';
            }
        }
        return false;
    }

    private static void document(Node doc, String file, Acc acc) {
        if (Nodes.isNull(doc)) {
            return; // an empty document (e.g. a trailing ---)
        }
        Origin origin = new Origin(file, Nodes.line(doc));
        if (!(doc instanceof MappingNode)) {
            acc.diagnostics.add(new Diagnostic(
                    Severity.ERROR,
                    origin,
                    null,
                    null,
                    null,
                    "",
                    "a document must be an object with apiVersion and kind, got " + Nodes.describe(doc)));
            acc.rejected++;
            return;
        }
        String apiVersion = Nodes.string(Nodes.get(doc, "apiVersion"));
        String kind = Nodes.string(Nodes.get(doc, "kind"));
        Node metaNode = Nodes.get(doc, "metadata");
        String name = Nodes.string(Nodes.get(metaNode, "name"));
        String namespace = Nodes.string(Nodes.get(metaNode, "namespace"));
        Reporter reporter = new Reporter(acc, origin, kind, namespace, name);
        if (kind == null || kind.isEmpty()) {
            reporter.report("kind", Nodes.get(doc, "kind") == null ? doc : Nodes.get(doc, "kind"), "missing kind");
            acc.rejected++;
            return;
        }
        if (apiVersion == null || apiVersion.isEmpty()) {
            reporter.report(
                    "apiVersion",
                    Nodes.get(doc, "apiVersion") == null ? doc : Nodes.get(doc, "apiVersion"),
                    "missing apiVersion");
            acc.rejected++;
            return;
        }
        Node items = Nodes.get(doc, "items");
        if (kind.endsWith("List")
                && apiVersion.equals("v1")
                && (items instanceof SequenceNode || Nodes.isNull(items))) {
            if (items instanceof SequenceNode s) {
                for (Node item : s.getValue()) {
                    document(item, file, acc);
                }
            }
            return;
        }
        int slash = apiVersion.indexOf('/');
        String group = slash < 0 ? "" : apiVersion.substring(0, slash);
        String version = apiVersion.substring(slash + 1);
        Kinds.KindInfo info = Kinds.find(group, kind);
        if (info == null) {
            Kinds.KindInfo meant = misspelled(group, kind);
            if (meant != null) {
                reporter.report(
                        "kind",
                        Nodes.get(doc, "kind"),
                        "unknown kind \"" + kind + "\" in " + group + "; did you mean " + meant.kind() + "?");
                acc.rejected++;
                return;
            }
            acc.skipped.add(new SkippedResource(apiVersion, kind, namespace, name, origin));
            return;
        }
        if (!info.versions().contains(version)) {
            reporter.report(
                    "apiVersion",
                    Nodes.get(doc, "apiVersion"),
                    "unsupported apiVersion \"" + apiVersion + "\" for " + kind + "; expected "
                            + String.join(
                                    " or ",
                                    info.versions().stream()
                                            .map(v -> (group.isEmpty() ? "" : group + "/") + v)
                                            .toList()));
            acc.rejected++;
            return;
        }
        Resource<?> resource = info.istio()
                ? istio(info, (MappingNode) doc, apiVersion, origin, reporter)
                : kube(info, (MappingNode) doc, apiVersion, origin, reporter);
        if (resource == null || reporter.errors > 0) {
            acc.rejected++;
        } else {
            acc.resources.add(resource);
        }
    }

    /** A model kind of the same group whose name differs only in case, e.g. {@code virtualservice}. */
    private static Kinds.KindInfo misspelled(String group, String kind) {
        for (Kinds.KindInfo k : Kinds.all()) {
            if (k.group().equals(group) && k.kind().equalsIgnoreCase(kind)) {
                return k;
            }
        }
        return null;
    }

    private static Resource<?> istio(
            Kinds.KindInfo info, MappingNode doc, String apiVersion, Origin origin, Reporter reporter) {
        Map<String, Object> other = new LinkedHashMap<>();
        for (NodeTuple t : doc.getValue()) {
            String key = Nodes.keyText(t.getKeyNode());
            if (!ISTIO_TOP_LEVEL.contains(key)) {
                reporter.report(
                        FieldPaths.field("", key),
                        t.getKeyNode(),
                        "unknown field \"" + key + "\" (a resource has apiVersion, kind, metadata, spec and status)");
            } else if (key.equals("status") && !Nodes.isNull(t.getValueNode())) {
                other.put(key, Nodes.toValue(t.getValueNode()));
            }
        }
        ObjectMeta meta = metadata(doc, reporter);
        Node specNode = Nodes.get(doc, "spec");
        if (Nodes.isNull(specNode)) {
            var kindSchema = IstioSchemas.of(info.kind());
            if (kindSchema != null && kindSchema.specRequired()) {
                reporter.report("spec", doc, "required field \"spec\" is missing");
            }
            specNode = new MappingNode(Tag.MAP, List.of(), FlowStyle.AUTO);
        } else {
            SchemaValidator.validate(info.schema(), specNode, keyNode(doc, "spec"), "spec", reporter);
        }
        if (reporter.errors > 0) {
            return null;
        }
        Object spec = Binder.bindRecord(info.specClass(), specNode, "spec", reporter);
        return spec == null
                ? null
                : new Resource<>(apiVersion, info.kind(), meta, spec, other, origin, FieldPaths.linesOf(doc));
    }

    private static Resource<?> kube(
            Kinds.KindInfo info, MappingNode doc, String apiVersion, Origin origin, Reporter reporter) {
        ObjectMeta meta = metadata(doc, reporter);
        Object spec;
        Map<String, Object> other = new LinkedHashMap<>();
        if (info.specAtTopLevel()) {
            List<NodeTuple> rest = new ArrayList<>();
            for (NodeTuple t : doc.getValue()) {
                if (!ENVELOPE.contains(Nodes.keyText(t.getKeyNode()))) {
                    rest.add(t);
                }
            }
            spec = Binder.bindRecord(info.specClass(), new MappingNode(Tag.MAP, rest, FlowStyle.AUTO), "", reporter);
        } else {
            Node specNode = Nodes.get(doc, "spec");
            spec = Nodes.isNull(specNode) ? null : Binder.bindRecord(info.specClass(), specNode, "spec", reporter);
            for (NodeTuple t : doc.getValue()) {
                String key = Nodes.keyText(t.getKeyNode());
                if (!ENVELOPE.contains(key) && !key.equals("spec")) {
                    other.put(key, Nodes.toValue(t.getValueNode()));
                }
            }
        }
        return new Resource<>(apiVersion, info.kind(), meta, spec, other, origin, FieldPaths.linesOf(doc));
    }

    private static Node keyNode(MappingNode doc, String key) {
        for (NodeTuple t : doc.getValue()) {
            if (Nodes.keyText(t.getKeyNode()).equals(key)) {
                return t.getKeyNode();
            }
        }
        return doc;
    }

    private static ObjectMeta metadata(MappingNode doc, Reporter reporter) {
        Node metaNode = Nodes.get(doc, "metadata");
        if (Nodes.isNull(metaNode)) {
            reporter.report(
                    "metadata", doc, "required field \"metadata\" is missing (it must at least name the resource)");
            return ObjectMeta.of(null, null);
        }
        ObjectMeta meta = (ObjectMeta) Binder.bindRecord(ObjectMeta.class, metaNode, "metadata", reporter);
        if (meta == null) {
            return ObjectMeta.of(null, null);
        }
        if ((meta.name() == null || meta.name().isEmpty())
                && (meta.generateName() == null || meta.generateName().isEmpty())) {
            reporter.report("metadata.name", metaNode, "required field \"name\" is missing");
        }
        return meta;
    }

    /** Turns schema and binding problems into diagnostics located at the offending node. */
    private static final class Reporter implements SchemaValidator.Sink, Binder.Errors {
        final Acc acc;
        final Origin origin;
        final String kind;
        final String namespace;
        final String name;
        int errors;

        Reporter(Acc acc, Origin origin, String kind, String namespace, String name) {
            this.acc = acc;
            this.origin = origin;
            this.kind = kind;
            this.namespace = namespace;
            this.name = name;
        }

        @Override
        public void report(String path, Node at, String message) {
            errors++;
            int line = at == null ? 0 : Nodes.line(at);
            acc.diagnostics.add(new Diagnostic(
                    Severity.ERROR, line > 0 ? origin.atLine(line) : origin, kind, namespace, name, path, message));
        }
    }

    private static final class Acc {
        final List<Resource<?>> resources = new ArrayList<>();
        final List<SkippedResource> skipped = new ArrayList<>();
        final List<Diagnostic> diagnostics = new ArrayList<>();
        final List<LoadFailure> failures = new ArrayList<>();
        int rejected;

        void add(Acc other) {
            resources.addAll(other.resources);
            skipped.addAll(other.skipped);
            diagnostics.addAll(other.diagnostics);
            failures.addAll(other.failures);
            rejected += other.rejected;
        }

        LoadResult result() {
            return new LoadResult(resources, skipped, diagnostics, failures, rejected);
        }
    }
}
