package io.predicator.spi;

import java.util.Map;

/**
 * Creates {@link SymbolResolver}s from a string-keyed configuration: the service a resolver module registers in
 * {@code META-INF/services/io.predicator.spi.SymbolResolverProvider} so that resolvers can be chosen by id.
 *
 * <p>Explicit construction of a resolver always works too; discovery is a convenience.
 *
 * @since 0.1
 */
public interface SymbolResolverProvider {

    /**
     * Returns the id of the resolvers this provider creates; unique among the providers on the class path.
     *
     * @return a non-blank, stable id such as {@code "libc"}
     */
    String id();

    /**
     * Creates a resolver.
     *
     * @param configuration settings whose keys the provider documents; unknown keys are rejected
     * @return a new resolver
     * @throws IllegalArgumentException if the configuration is invalid, naming the key and the accepted values
     */
    SymbolResolver create(Map<String, String> configuration);

    /**
     * Returns a one-line description for listings and error messages.
     *
     * @return what the resolvers of this provider offer
     */
    default String description() {
        return id();
    }
}
