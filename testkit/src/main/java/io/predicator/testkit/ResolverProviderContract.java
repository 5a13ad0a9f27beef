package io.predicator.testkit;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The resolver contract on providers: the resolver's provider is discoverable through ServiceLoader and rejects
 * unknown configuration keys. Implement it alone, or all the resolver contracts through {@link ResolverContract}.
 *
 * @since 0.1
 */
public interface ResolverProviderContract extends ResolverUnderTest {
    /** R12: the provider is discoverable. */
    @Test
    @DisplayName("R12 the provider is discoverable")
    default void providerIsDiscoverable() {
        ResolverProviderChecks.providerIsDiscoverable(this);
    }

    /** R13: the provider rejects unknown configuration keys. */
    @Test
    @DisplayName("R13 the provider rejects unknown configuration keys")
    default void providerRejectsUnknownConfigurationKeys() {
        ResolverProviderChecks.providerRejectsUnknownKeys(this);
    }
}
