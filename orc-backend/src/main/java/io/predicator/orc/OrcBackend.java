package io.predicator.orc;

import io.predicator.JitContext;
import io.predicator.orc.internal.OrcJitContext;
import io.predicator.spi.JitBackend;
import io.predicator.spi.JitSettings;

/**
 * The {@link JitBackend} on LLVM's ORC LLJIT, id {@code "orc"}; registered for {@link java.util.ServiceLoader} so
 * that {@link JitContext#builder()} finds it when this module is on the class path.
 *
 * @since 0.1
 */
public final class OrcBackend implements JitBackend {

    /** Creates the backend; {@link java.util.ServiceLoader} calls this. */
    public OrcBackend() {
    }

    @Override
    public String id() {
        return "orc";
    }

    @Override
    public JitContext create(JitSettings settings) {
        return new OrcJitContext(settings);
    }
}
