package io.predicator.testkit;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.stream.Stream;

/**
 * The backend contract on load options: each {@link io.predicator.LoadOptions.Option}, set alone, is honoured by
 * {@code load} and {@code inspect} or refused with a {@link io.predicator.ConfigurationException} naming it. Implement
 * it alone, or all the backend contracts through {@link BackendContract}.
 *
 * @since 0.1
 */
public interface BackendOptionsContract extends BackendUnderTest {

    /**
     * B17: every load option is honoured or refused by name.
     *
     * @return one test per option
     */
    @TestFactory
    @DisplayName("B17 every load option is honoured or refused by name")
    default Stream<DynamicTest> everyLoadOptionIsHonouredOrRefusedByName() {
        return BackendOptionsChecks.everyOptionIsHonouredOrRefused(this);
    }
}
