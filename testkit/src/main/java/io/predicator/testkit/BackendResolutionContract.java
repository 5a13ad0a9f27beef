package io.predicator.testkit;

import io.predicator.JitContext;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The backend contract on resolution: the resolver supplies the imports, unresolved symbols are listed at once, and
 * resolver failures are contained. Implement it alone, or all of them through {@link BackendContract}.
 *
 * @since 0.1
 */
public interface BackendResolutionContract extends BackendUnderTest {
    /** B11 and B12: unresolved symbols are all listed at once, and the context stays usable. */
    @Test
    @DisplayName("B11 unresolved symbols are all listed at once")
    default void unresolvedSymbolsAreAllListedAtOnce() {
        BackendResolutionChecks.unresolvedSymbolsAreAllListed(this);
    }

    /** B13 and B12: resolver failures are contained, and the context stays usable. */
    @Test
    @DisplayName("B13 resolver failures are contained")
    default void resolverFailuresAreContained() {
        BackendResolutionChecks.resolverFailuresAreContained(this);
    }

    /** B14: the resolver supplies the imports. */
    @Test
    @DisplayName("B14 the resolver supplies the imports")
    default void resolverSuppliesTheImports() {
        BackendResolutionChecks.resolverSuppliesImports(this);
    }
}
