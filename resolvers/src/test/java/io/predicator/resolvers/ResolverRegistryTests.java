package io.predicator.resolvers;

import io.predicator.ConfigurationException;
import io.predicator.JitException;
import io.predicator.resolvers.TestProviders.Alpha;
import io.predicator.resolvers.TestProviders.AlphaAgain;
import io.predicator.resolvers.TestProviders.Beta;
import io.predicator.resolvers.TestProviders.ReturnsNull;
import io.predicator.spi.SymbolResolver;
import io.predicator.spi.SymbolResolverProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static io.predicator.resolvers.MapResolver.libcAddress;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link ResolverRegistry}: explicit registration, and discovery through ServiceLoader in class loaders that see
 * zero, one or several providers (and no service files but their own).
 */
class ResolverRegistryTests {
    private static final String SERVICE_FILE = "META-INF/services/" + SymbolResolverProvider.class.getName();

    @TempDir
    Path temporary;

    private final List<URLClassLoader> loaders = new ArrayList<>();

    @AfterEach
    void closeLoaders() throws IOException {
        for (URLClassLoader loader : loaders) {
            loader.close();
        }
    }

    @Test
    void discoveryWithoutProvidersFailsListingNoneAndNamingTheModulesToAdd() throws IOException {
        ResolverRegistry registry = ResolverRegistry.discover(loaderListing());

        assertThat(registry.ids()).isEmpty();
        assertThatThrownBy(() -> registry.create("libc", Map.of()))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("No symbol resolver provider with id 'libc'")
                .hasMessageContaining("none were found")
                .hasMessageContaining("discovered through ServiceLoader")
                .hasMessageContaining("predicator-resolver-naive")
                .hasMessageContaining("predicator-resolver-libc")
                .hasMessageContaining("predicator-resolver-static");
    }

    @Test
    void discoveryFindsOneProvider() throws IOException {
        ResolverRegistry registry = ResolverRegistry.discover(loaderListing(Alpha.class));

        assertThat(registry.ids()).containsExactly("alpha");
        assertThat(registry.provider("alpha")).isInstanceOf(Alpha.class);
        SymbolResolver resolver = registry.create("alpha", Map.of("symbols", "strlen,getpid"));
        assertThat(resolver.id()).isEqualTo("alpha");
        assertThat(resolver.resolve("getpid")).contains(libcAddress("getpid"));
    }

    @Test
    void discoveryFindsSeveralProvidersWithDistinctIds() throws IOException {
        ResolverRegistry registry = ResolverRegistry.discover(loaderListing(Beta.class, Alpha.class));

        assertThat(registry.ids()).containsExactly("alpha", "beta");
        assertThat(registry.providers()).extracting(SymbolResolverProvider::id).containsExactly("alpha", "beta");
        assertThat(registry.create("beta", Map.of()).resolve("strlen")).contains(libcAddress("strlen"));
        assertThat(registry).hasToString("ResolverRegistry[alpha, beta]");
    }

    @Test
    void discoveryRejectsTwoProvidersWithTheSameIdNamingBoth() throws IOException {
        ClassLoader loader = loaderListing(Alpha.class, AlphaAgain.class);

        assertThatThrownBy(() -> ResolverRegistry.discover(loader))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("Two symbol resolver providers have the id 'alpha'")
                .hasMessageContaining(Alpha.class.getName() + " from file:")
                .hasMessageContaining(AlphaAgain.class.getName() + " from file:");
    }

    @Test
    void unknownIdListsTheIdsFound() throws IOException {
        ResolverRegistry registry = ResolverRegistry.discover(loaderListing(Alpha.class, Beta.class));

        assertThatThrownBy(() -> registry.provider("gamma"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("No symbol resolver provider with id 'gamma'")
                .hasMessageContaining("'alpha' (alpha: a few C library functions), 'beta'");
    }

    @Test
    void providerThatCannotBeLoadedFailsNamingTheServiceFile() throws IOException {
        ClassLoader loader = loaderListingClassNames("io.predicator.resolvers.NoSuchProvider");

        assertThatThrownBy(() -> ResolverRegistry.discover(loader))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining(SERVICE_FILE)
                .hasMessageContaining("io.predicator.resolvers.NoSuchProvider");
    }

    @Test
    void discoveryLogsWhatItFoundAndWhere() throws IOException {
        Logger logger = Logger.getLogger(ResolverRegistry.class.getName());
        List<LogRecord> records = new CopyOnWriteArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                records.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Level previous = logger.getLevel();
        logger.setLevel(Level.ALL);
        logger.addHandler(handler);
        try {
            ResolverRegistry.discover(loaderListing(Alpha.class));
        } finally {
            logger.removeHandler(handler);
            logger.setLevel(previous);
        }

        assertThat(records).extracting(LogRecord::getMessage)
                .anySatisfy(message -> assertThat(message)
                        .contains("'alpha'")
                        .contains(Alpha.class.getName() + " from file:"))
                .anySatisfy(message -> assertThat(message).contains("Discovered 1 symbol resolver provider"));
        assertThat(records).allMatch(record -> record.getLevel() == Level.FINE);
    }

    @Test
    void explicitRegistrationNeedsNoServiceLoader() {
        ResolverRegistry registry = ResolverRegistry.of(new Beta(), new Alpha());

        assertThat(registry.ids()).containsExactly("alpha", "beta");
        assertThat(registry.create("alpha", Map.of()).resolve("strlen")).contains(libcAddress("strlen"));
    }

    @Test
    void explicitRegistrationRejectsDuplicateIdsNamingBoth() {
        assertThatThrownBy(() -> ResolverRegistry.of(new Alpha(), new AlphaAgain()))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("'alpha'")
                .hasMessageContaining(Alpha.class.getName())
                .hasMessageContaining(AlphaAgain.class.getName())
                .hasMessageContaining("registered explicitly");
    }

    @Test
    void emptyExplicitRegistrySaysNoneWereRegistered() {
        assertThatThrownBy(() -> ResolverRegistry.of().provider("libc"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("none were found (registered explicitly)")
                .hasMessageContaining("predicator-resolver-libc");
    }

    @Test
    void providerRejectionsOfTheConfigurationPropagate() {
        ResolverRegistry registry = ResolverRegistry.of(new Alpha());

        assertThatThrownBy(() -> registry.create("alpha", Map.of("colour", "blue")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("colour");
    }

    @Test
    void providerReturningNullFailsNamingIt() {
        assertThatThrownBy(() -> ResolverRegistry.of(new ReturnsNull()).create("returns-null", Map.of()))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("'returns-null'")
                .hasMessageContaining(ReturnsNull.class.getName())
                .hasMessageContaining("returned null");
    }

    @Test
    void providerWithBlankIdIsRejected() {
        SymbolResolverProvider blank = new SymbolResolverProvider() {
            @Override
            public String id() {
                return " ";
            }

            @Override
            public SymbolResolver create(Map<String, String> configuration) {
                return SymbolResolver.none();
            }
        };

        assertThatThrownBy(() -> ResolverRegistry.of(blank))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("blank id");
    }

    @Test
    void rejectsNullArguments() {
        ResolverRegistry registry = ResolverRegistry.of(new Alpha());

        assertThatThrownBy(() -> ResolverRegistry.of(new Alpha(), null)).hasMessage("providers[1] is null");
        assertThatThrownBy(() -> ResolverRegistry.discover(null)).hasMessage("classLoader is null");
        assertThatThrownBy(() -> registry.provider(null)).hasMessage("id is null");
        assertThatThrownBy(() -> registry.create("alpha", null)).hasMessage("configuration is null");
    }

    @Test
    void namedUsesTheThreadsContextClassLoader() throws IOException {
        ClassLoader one = loaderListing(Alpha.class);
        ClassLoader none = loaderListing();
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        try {
            thread.setContextClassLoader(one);
            assertThat(Resolvers.named("alpha", Map.of("symbols", "getpid")).resolve("getpid"))
                    .contains(libcAddress("getpid"));
            assertThat(Resolvers.named("alpha").resolve("strlen")).contains(libcAddress("strlen"));

            thread.setContextClassLoader(none);
            assertThatThrownBy(() -> Resolvers.named("alpha"))
                    .isInstanceOf(ConfigurationException.class)
                    .hasMessageContaining("none were found");
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    /** A loader whose only service file lists these providers; their classes come from the test class path. */
    private ClassLoader loaderListing(Class<?>... providers) throws IOException {
        return loaderListingClassNames(Arrays.stream(providers).map(Class::getName).toArray(String[]::new));
    }

    private ClassLoader loaderListingClassNames(String... providerClassNames) throws IOException {
        Path root = Files.createTempDirectory(temporary, "services");
        if (providerClassNames.length > 0) {
            Path file = root.resolve(SERVICE_FILE);
            Files.createDirectories(file.getParent());
            Files.writeString(file, "# written by ResolverRegistryTests\n" + String.join("\n", providerClassNames)
                    + "\n");
        }
        URLClassLoader loader = new URLClassLoader(new URL[] {root.toUri().toURL()},
                new ServiceFilesHidden(ResolverRegistryTests.class.getClassLoader()));
        loaders.add(loader);
        return loader;
    }

    /** Delegates classes to the test class path but hides its service files, so only the temporary one counts. */
    private static final class ServiceFilesHidden extends ClassLoader {
        ServiceFilesHidden(ClassLoader parent) {
            super(parent);
        }

        @Override
        public URL getResource(String name) {
            return name.startsWith("META-INF/services/") ? null : super.getResource(name);
        }

        @Override
        public Enumeration<URL> getResources(String name) throws IOException {
            return name.startsWith("META-INF/services/") ? Collections.emptyEnumeration() : super.getResources(name);
        }
    }
}
