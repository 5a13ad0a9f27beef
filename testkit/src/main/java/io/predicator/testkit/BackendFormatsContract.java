package io.predicator.testkit;

import io.predicator.JitContext;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.stream.Stream;

/**
 * The backend contract on formats: every declared format loads and runs, exports are listed with their signatures, a
 * mismatched signature or an unknown symbol is refused. Implement it alone, or all of them through {@link
 * BackendContract}.
 *
 * @since 0.1
 */
public interface BackendFormatsContract extends BackendUnderTest {
    /**
     * B1: every declared format loads and its functions run.
     *
     * @return one test per declared format variant
     */
    @TestFactory
    @DisplayName("B1 every declared format loads and its functions run")
    default Stream<DynamicTest> everyDeclaredFormatLoadsAndRuns() {
        return BackendFormatsChecks.everyDeclaredFormatLoads(this);
    }

    /**
     * B2: exports are listed, with signatures where the format carries types.
     *
     * @return one test per declared format, and one for {@code inspect()}
     */
    @TestFactory
    @DisplayName("B2 exports are listed, with signatures where the format carries types")
    default Stream<DynamicTest> exportsAreListedWithSignaturesWhereTheFormatCarriesTypes() {
        return BackendFormatsChecks.exportsAreListed(this);
    }

    /**
     * B4: a mismatched signature is refused, showing both signatures.
     *
     * @return one test per typed format
     */
    @TestFactory
    @DisplayName("B4 a mismatched signature is refused, showing both signatures")
    default Stream<DynamicTest> mismatchedSignatureIsRefused() {
        return BackendFormatsChecks.mismatchedSignaturesAreRefused(this);
    }

    /** B5: unknown symbols are reported, not guessed. */
    @Test
    @DisplayName("B5 unknown symbols are reported, not guessed")
    default void unknownSymbolsAreReported() {
        BackendFormatsChecks.unknownSymbolsAreReported(this);
    }
}
