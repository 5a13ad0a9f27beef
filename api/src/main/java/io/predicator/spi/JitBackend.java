package io.predicator.spi;

import io.predicator.JitContext;

/**
 * Creates {@link JitContext}s: the service a backend module registers in
 * {@code META-INF/services/io.predicator.spi.JitBackend} so that {@link JitContext#builder()} finds it.
 *
 * @since 0.1
 */
public interface JitBackend {

    /**
     * Returns the backend's stable identifier.
     *
     * @return a non-blank id, such as {@code "orc"}
     */
    String id();

    /**
     * Creates a context.
     *
     * @param settings what the builder collected
     * @return a new, open context that the caller owns
     */
    JitContext create(JitSettings settings);
}
