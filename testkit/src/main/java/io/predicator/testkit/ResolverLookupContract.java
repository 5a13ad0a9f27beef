package io.predicator.testkit;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.stream.Stream;

/**
 * The resolver contract on lookups: the declarations are backed, the id is stable, null is rejected, unknown names
 * give empty, samples resolve as declared, and answers are deterministic, also under concurrency. Implement it
 * alone, or all the resolver contracts through {@link ResolverContract}.
 *
 * @since 0.1
 */
public interface ResolverLookupContract extends ResolverUnderTest {
    /** R0: the declared capabilities are backed by the samples. */
    @Test
    @DisplayName("R0 the declared capabilities are backed by the samples")
    default void declaredCapabilitiesAreBackedBySamples() {
        ResolverLookupChecks.declarationIsConsistent(this);
    }

    /** R1: the id is non-blank and stable. */
    @Test
    @DisplayName("R1 the id is non-blank and stable")
    default void idIsNonBlankAndStable() {
        ResolverLookupChecks.idIsNonBlankAndStable(this);
    }

    /** R2: null is rejected. */
    @Test
    @DisplayName("R2 null is rejected")
    default void nullIsRejected() {
        ResolverLookupChecks.nullIsRejected(this);
    }

    /** R3: unknown names give empty, never an exception. */
    @Test
    @DisplayName("R3 unknown names give empty, never an exception")
    default void unknownNamesGiveEmpty() {
        ResolverLookupChecks.unknownNamesGiveEmpty(this);
    }

    /**
     * R4: samples resolve or are refused as declared.
     *
     * @return one test per sample
     */
    @TestFactory
    @DisplayName("R4 samples resolve or are refused as declared")
    default Stream<DynamicTest> samplesResolveOrAreRefusedAsDeclared() {
        return ResolverLookupChecks.samplesResolveAsDeclared(this);
    }

    /** R5: answers are deterministic. */
    @Test
    @DisplayName("R5 answers are deterministic")
    default void answersAreDeterministic() {
        ResolverLookupChecks.answersAreDeterministic(this);
    }

    /**
     * R6: concurrent resolution is consistent.
     *
     * @throws InterruptedException if interrupted while waiting for the threads
     */
    @Test
    @DisplayName("R6 concurrent resolution is consistent")
    default void concurrentResolutionIsConsistent() throws InterruptedException {
        ResolverLookupChecks.concurrentResolutionIsConsistent(this);
    }
}
