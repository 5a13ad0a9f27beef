package io.predicator.testkit;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.stream.Stream;

/**
 * The resolver contract on linking: resolved functions and data work in JIT-linked plugins, refused symbols keep a
 * plugin out, the compiler helpers work, and a throwing resolver is contained. Implement it alone, or all the
 * resolver contracts through {@link ResolverContract}.
 *
 * @since 0.1
 */
public interface ResolverLinkingContract extends ResolverUnderTest {
    /**
     * R7: resolved functions work in a JIT-linked plugin.
     *
     * @return one test per function sample that resolves
     */
    @TestFactory
    @DisplayName("R7 resolved functions work in a JIT-linked plugin")
    default Stream<DynamicTest> resolvedFunctionsWorkInALinkedPlugin() {
        return ResolverLinkingChecks.resolvedFunctionsWork(this);
    }

    /**
     * R8: resolved data works in a JIT-linked plugin.
     *
     * @return one test per data sample that resolves
     */
    @TestFactory
    @DisplayName("R8 resolved data works in a JIT-linked plugin")
    default Stream<DynamicTest> resolvedDataWorksInALinkedPlugin() {
        return ResolverLinkingChecks.resolvedDataWorks(this);
    }

    /**
     * R9: refused symbols keep a plugin from loading.
     *
     * @return one test per refused sample
     */
    @TestFactory
    @DisplayName("R9 refused symbols keep a plugin from loading")
    default Stream<DynamicTest> refusedSymbolsKeepAPluginFromLoading() {
        return ResolverLinkingChecks.refusedSymbolsKeepAPluginFromLoading(this);
    }

    /** R10: the compiler helpers resolve and work. */
    @Test
    @DisplayName("R10 the compiler helpers resolve and work")
    default void compilerHelpersResolveAndWork() {
        ResolverLinkingChecks.compilerHelpersWork(this);
    }

    /** R11: a throwing resolver is contained. */
    @Test
    @DisplayName("R11 a throwing resolver is contained")
    default void throwingResolverIsContained() {
        ResolverLinkingChecks.throwingResolverIsContained(this);
    }
}
