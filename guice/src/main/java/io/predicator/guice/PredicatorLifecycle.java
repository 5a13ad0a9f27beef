package io.predicator.guice;

import io.predicator.JitContext;

/**
 * Owns the {@link JitContext} that {@link PredicatorModule} injects: the injector's owner closes it when the
 * application stops, since Guice itself closes nothing.
 *
 * <pre>{@code
 * injector.getInstance(PredicatorLifecycle.class).close();
 * }</pre>
 *
 * <p>The context is created on first injection; closing before that creates none. After closing, injecting the
 * context again yields the closed context, or {@link io.predicator.AlreadyClosedException} if it was never
 * created. Thread-safe.
 *
 * @since 0.1
 */
public interface PredicatorLifecycle extends AutoCloseable {

    /**
     * Returns whether {@link #close()} has been called.
     *
     * @return true once closed
     */
    boolean isClosed();

    /**
     * Closes the injected context, if it was created, and with it every plugin still loaded; idempotent.
     */
    @Override
    void close();
}
