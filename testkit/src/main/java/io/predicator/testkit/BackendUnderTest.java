package io.predicator.testkit;

import io.predicator.JitContext;
import io.predicator.spi.SymbolResolver;

import java.util.Set;

/**
 * The backend under test, as every backend contract sees it: how to create its contexts and what it supports.
 *
 * @since 0.1
 */
public interface BackendUnderTest {

    /**
     * Creates a context of the backend under test; every check closes the contexts it creates.
     *
     * @param resolver the context's default resolver
     * @return a new, open context
     */
    JitContext createContext(SymbolResolver resolver);

    /**
     * Declares what the backend supports.
     *
     * @return the capabilities
     */
    Set<BackendCapability> capabilities();
}
