package dev.trellis.api.analyze;

import dev.trellis.api.model.Origin;
import dev.trellis.api.model.Resource;
import dev.trellis.api.model.kube.PodSpec;
import dev.trellis.api.model.kube.WorkloadSpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * What analyzers see: every loaded resource, with the default namespace applied to those that name none (as istioctl
 * does for files), and where their messages go.
 */
public final class AnalysisContext {

    /** A set of pods as analyzers match selectors against them: a Pod, or the template of a Deployment, ... */
    public record Workload(String kind, String namespace, String name, Map<String, String> labels) {}

    private final List<Resource<?>> resources;
    private final String defaultNamespace;
    private final List<Message> messages = new ArrayList<>();
    private List<Workload> workloads;

    public AnalysisContext(List<Resource<?>> resources, String defaultNamespace) {
        this.resources = List.copyOf(resources);
        this.defaultNamespace = defaultNamespace;
    }

    public String defaultNamespace() {
        return defaultNamespace;
    }

    /** The resource's namespace, or the default namespace when it names none. */
    public String namespace(Resource<?> r) {
        String ns = r.namespace();
        return ns == null || ns.isEmpty() ? defaultNamespace : ns;
    }

    public List<Resource<?>> resources() {
        return resources;
    }

    /** The resources whose spec is of this record class. */
    @SuppressWarnings("unchecked")
    public <S> List<Resource<S>> all(Class<S> specClass) {
        List<Resource<S>> out = new ArrayList<>();
        for (Resource<?> r : resources) {
            if (specClass.isInstance(r.spec())) {
                out.add((Resource<S>) r);
            }
        }
        return out;
    }

    /** Pods, and the pod templates of Deployments, StatefulSets and DaemonSets (offline, they stand for their pods). */
    @SuppressWarnings("unchecked")
    public List<Workload> workloads() {
        if (workloads == null) {
            List<Workload> out = new ArrayList<>();
            for (Resource<?> r : resources) {
                if (r.spec() instanceof PodSpec) {
                    out.add(new Workload(
                            r.kind(), namespace(r), r.name(), r.metadata().labelsOrEmpty()));
                } else if (r.spec() instanceof WorkloadSpec w
                        && w.template() != null
                        && w.template().metadata() != null) {
                    out.add(new Workload(
                            r.kind(),
                            namespace(r),
                            r.name(),
                            w.template().metadata().labelsOrEmpty()));
                }
            }
            workloads = Collections.unmodifiableList(out);
        }
        return workloads;
    }

    private Map<String, List<Workload>> byLabel;

    /** Whether any workload carries all the labels of {@code selector} (an empty selector matches any workload). */
    public boolean anyWorkloadSelected(Map<String, String> selector) {
        if (byLabel == null) {
            Map<String, List<Workload>> index = new java.util.HashMap<>();
            for (Workload w : workloads()) {
                w.labels().forEach((k, v) -> index.computeIfAbsent(k + "=" + v, x -> new ArrayList<>())
                        .add(w));
            }
            byLabel = index;
        }
        if (selector.isEmpty()) {
            return !workloads().isEmpty();
        }
        List<Workload> candidates = null;
        for (Map.Entry<String, String> e : selector.entrySet()) {
            List<Workload> l = byLabel.getOrDefault(e.getKey() + "=" + e.getValue(), List.of());
            if (candidates == null || l.size() < candidates.size()) {
                candidates = l;
            }
        }
        for (Workload w : candidates) {
            if (Hosts.selects(selector, w.labels())) {
                return true;
            }
        }
        return false;
    }

    /** Reports a message about a resource, located at {@code fieldPath} when that field has a known line. */
    public void report(MessageType type, Resource<?> r, String fieldPath, Object... args) {
        Origin origin = fieldPath == null ? r.origin() : r.originOf(fieldPath);
        messages.add(new Message(type, r.kind(), namespace(r), r.name(), origin, type.format(args)));
    }

    public void report(Message m) {
        messages.add(m);
    }

    List<Message> messages() {
        return messages;
    }
}
