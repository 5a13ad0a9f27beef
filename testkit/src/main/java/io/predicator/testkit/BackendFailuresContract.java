package io.predicator.testkit;

import io.predicator.JitContext;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.stream.Stream;

/**
 * The backend contract on failures: bad input, content the load policy refuses and modules the backend cannot
 * support each give their typed exception, and the context stays usable. Implement it alone, or all the backend
 * contracts through {@link BackendContract}.
 *
 * @since 0.1
 */
public interface BackendFailuresContract extends BackendUnderTest {
    /**
     * B10 and B12: bad input gives a typed exception naming the source, and the context stays usable.
     *
     * @return one test per kind of bad input
     */
    @TestFactory
    @DisplayName("B10 bad input gives a typed exception naming the source")
    default Stream<DynamicTest> badInputGivesATypedException() {
        return BackendFailuresChecks.badInputGivesTypedException(this);
    }

    /** B15: content the load policy refuses gives a policy violation. */
    @Test
    @DisplayName("B15 content the load policy refuses gives a policy violation")
    default void policyViolationsAreTyped() {
        BackendFailuresChecks.policyViolationsAreTyped(this);
    }

    /** B16: an unsupported module gives an unsupported-module exception. */
    @Test
    @DisplayName("B16 an unsupported module gives an unsupported-module exception")
    default void unsupportedModulesAreTyped() {
        BackendFailuresChecks.unsupportedModulesAreTyped(this);
    }
}
