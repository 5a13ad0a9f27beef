package io.predicator.testkit.internal;

import io.predicator.JitContext;
import io.predicator.JitException;
import io.predicator.spi.SymbolResolver;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Function;
import java.util.function.Supplier;

import static java.util.Objects.requireNonNull;

/**
 * The resolver under test for one check, with the contexts built on it; closing releases the contexts first, then
 * every resolver the factory made that is {@link AutoCloseable} (plugins must not outlive what they link against).
 */
public final class Subject implements AutoCloseable {
    private final Supplier<SymbolResolver> resolvers;
    private final Function<SymbolResolver, JitContext> contexts;
    private final Deque<AutoCloseable> toClose = new ArrayDeque<>();
    private final SymbolResolver resolver;
    private JitContext context;

    private Subject(Supplier<SymbolResolver> resolvers, Function<SymbolResolver, JitContext> contexts) {
        this.resolvers = resolvers;
        this.contexts = contexts;
        this.resolver = anotherResolver();
    }

    /** Creates a resolver with the factory; the subject closes it. */
    public static Subject open(Supplier<SymbolResolver> resolvers, Function<SymbolResolver, JitContext> contexts) {
        return new Subject(requireNonNull(resolvers, "resolvers is null"), requireNonNull(contexts, "contexts is null"));
    }

    /** Returns the resolver under test. */
    public SymbolResolver resolver() {
        return resolver;
    }

    /** Creates one more resolver with the factory; the subject closes it too. */
    public SymbolResolver anotherResolver() {
        SymbolResolver created;
        try {
            created = resolvers.get();
        } catch (RuntimeException | Error e) {
            throw new SetupProblem("createResolver() threw; the contract needs a working factory", e);
        }
        if (created == null) {
            throw new SetupProblem("createResolver() returned null", null);
        }
        if (created instanceof AutoCloseable closeable) {
            toClose.push(closeable);
        }
        return created;
    }

    /** Returns a context whose default resolver is the one under test, created on first use. */
    public JitContext context() {
        if (context == null) {
            context = context(resolver);
        }
        return context;
    }

    /** Creates a context whose default resolver is the given one; the subject closes it before the resolvers. */
    public JitContext context(SymbolResolver defaultResolver) {
        JitContext created = contexts.apply(defaultResolver);
        if (created == null) {
            throw new SetupProblem("createContext(SymbolResolver) returned null", null);
        }
        toClose.push(created);
        return created;
    }

    /** Registers something else to close, before what was registered earlier. */
    public void closeLater(AutoCloseable closeable) {
        toClose.push(requireNonNull(closeable, "closeable is null"));
    }

    @Override
    public void close() {
        RuntimeException failure = null;
        while (!toClose.isEmpty()) {
            try {
                toClose.pop().close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = new IllegalStateException("closing the resolver or context under test failed", e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * Creates a context with the backend that {@link java.util.ServiceLoader} finds, turning "no backend" into a
     * setup problem that says which dependency to add.
     */
    public static JitContext discoveredContext(SymbolResolver resolver) {
        try {
            return JitContext.builder().resolver(resolver).build();
        } catch (JitException e) {
            throw new SetupProblem("the contract links real plugins, so it needs a JIT backend on the test class path, "
                    + "found through ServiceLoader: add io.predicator:predicator-orc-backend with <scope>test</scope> "
                    + "(or override createContext(SymbolResolver)). The builder said: " + e.getMessage(), e);
        }
    }
}
