package dev.trellis.control.generate;

import dev.trellis.control.model.Proxy;
import dev.trellis.control.push.PushContext;
import dev.trellis.xds.TypeUrl;
import java.util.Set;
import java.util.SortedMap;

/** Generates the resources of one type for one proxy. Pure: no I/O, same inputs give equal outputs. */
public interface Generator {

    TypeUrl type();

    /**
     * @param names the resource names the proxy subscribed to; empty means wildcard (all it should see)
     * @return the resources, sorted by name, with their content version; names that mean nothing for this proxy are
     *     left out
     */
    Resources resources(Proxy proxy, PushContext push, Set<String> names);

    /** The same as {@link #resources}, by name. */
    default SortedMap<String, XdsResource> generate(Proxy proxy, PushContext push, Set<String> names) {
        return resources(proxy, push, names).asMap();
    }
}
