package dev.trellis.control.debug;

import dev.trellis.api.model.Resource;
import java.util.List;

/** What the debug endpoints show about config: the serving resources, current errors, rejection count. */
public interface ConfigView {

    ConfigView NONE = new ConfigView() {
        @Override
        public List<Resource<?>> resources() {
            return List.of();
        }

        @Override
        public List<String> errors() {
            return List.of();
        }

        @Override
        public long rejected() {
            return 0;
        }
    };

    List<Resource<?>> resources();

    List<String> errors();

    /** Config files rejected since start. */
    long rejected();
}
