package io.predicator.guice.internal;

import io.predicator.AlreadyClosedException;
import io.predicator.JitContext;
import io.predicator.guice.PredicatorLifecycle;

import java.util.function.Supplier;

import static java.util.Objects.requireNonNull;

/**
 * Creates the injected context on first use and closes it once; not part of the API.
 */
public final class ContextOwner implements PredicatorLifecycle {
    private final Supplier<JitContext> factory;
    private JitContext context;
    private boolean closed;

    /**
     * Creates the owner.
     *
     * @param factory creates the context, at most once
     */
    public ContextOwner(Supplier<JitContext> factory) {
        this.factory = requireNonNull(factory, "factory is null");
    }

    /**
     * Returns the context, creating it on the first call.
     *
     * @return the context
     * @throws AlreadyClosedException if the owner was closed before the context was created
     */
    public synchronized JitContext context() {
        if (context == null) {
            if (closed) {
                throw new AlreadyClosedException("the JitContext of PredicatorModule (closed through "
                        + "PredicatorLifecycle before it was first injected)");
            }
            context = requireNonNull(factory.get(), "the context factory returned null");
        }
        return context;
    }

    @Override
    public synchronized boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        JitContext toClose;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            toClose = context;
        }
        if (toClose != null) {
            toClose.close();
        }
    }

    @Override
    public synchronized String toString() {
        return "PredicatorLifecycle[" + (closed ? "closed" : context == null ? "no context yet" : "open") + "]";
    }
}
