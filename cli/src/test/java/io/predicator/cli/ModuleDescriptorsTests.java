package io.predicator.cli;

import io.predicator.spi.JitBackend;
import io.predicator.spi.SymbolResolverProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.module.Configuration;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import java.util.jar.JarFile;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The library modules' descriptors, resolved from the built artifacts in a module layer of their own, as a
 * program on the module path would see them: only API and SPI packages are exported to everyone, plumbing only to
 * the project's own modules, and the services are provided.
 */
class ModuleDescriptorsTests {
    private static final List<String> LIBRARIES = List.of("io.predicator", "io.predicator.orc",
            "io.predicator.resolvers", "io.predicator.resolver.naive", "io.predicator.resolver.libc",
            "io.predicator.resolver.statics", "io.predicator.fixtures", "io.predicator.testkit", "io.predicator.guice",
            "io.predicator.lifecycle", "io.predicator.toolchain");

    private static ModuleLayer layer;

    @BeforeAll
    static void resolveTheLibrariesInALayerOfTheirOwn() {
        Path[] modules = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .map(Path::of).filter(ModuleDescriptorsTests::isModule).toArray(Path[]::new);
        Configuration configuration = ModuleLayer.boot().configuration()
                .resolveAndBind(ModuleFinder.of(modules), ModuleFinder.of(), Set.copyOf(LIBRARIES));
        layer = ModuleLayer.boot().defineModulesWithOneLoader(configuration, ClassLoader.getSystemClassLoader());
    }

    @Test
    void everyLibraryHasADescriptor() {
        assertThat(LIBRARIES).allSatisfy(name -> assertThat(layer.findModule(name))
                .as(name).hasValueSatisfying(module -> assertThat(module.getDescriptor().isAutomatic()).isFalse()));
    }

    @Test
    void onlyApiAndSpiPackagesAreExportedToEveryone() {
        Map<String, Set<String>> unqualified = new TreeMap<>();
        for (String name : LIBRARIES) {
            unqualified.put(name, descriptor(name).exports().stream().filter(exported -> !exported.isQualified())
                    .map(ModuleDescriptor.Exports::source).collect(Collectors.toSet()));
        }
        assertThat(unqualified.values().stream().flatMap(Set::stream))
                .noneMatch(pkg -> pkg.endsWith(".internal") || pkg.contains(".internal."))
                .doesNotContain("io.predicator.plumbing", "io.predicator.orc.programs");
        assertThat(unqualified.get("io.predicator")).containsExactlyInAnyOrder("io.predicator", "io.predicator.spi");
        assertThat(unqualified.get("io.predicator.orc")).containsExactly("io.predicator.orc");
    }

    @Test
    void plumbingIsExportedOnlyToTheProjectsOwnModules() {
        Module api = layer.findModule("io.predicator").orElseThrow();
        Module orc = layer.findModule("io.predicator.orc").orElseThrow();
        Module toolchain = layer.findModule("io.predicator.toolchain").orElseThrow();
        Module resolvers = layer.findModule("io.predicator.resolvers").orElseThrow();

        assertThat(api.isExported("io.predicator.plumbing")).isFalse();
        assertThat(api.isExported("io.predicator.plumbing", orc)).isTrue();
        assertThat(api.isExported("io.predicator.plumbing", resolvers)).isFalse();
        assertThat(orc.isExported("io.predicator.orc.programs", toolchain)).isTrue();
        assertThat(orc.isExported("io.predicator.orc.programs", resolvers)).isFalse();
        assertThat(orc.isExported("io.predicator.orc.internal", toolchain)).isFalse();
        assertThat(descriptor("io.predicator").exports().stream().filter(ModuleDescriptor.Exports::isQualified)
                .flatMap(exported -> exported.targets().stream())).allMatch(LIBRARIES::contains);
    }

    @Test
    void theBackendAndTheResolversAreFoundThroughTheirDescriptors() throws ClassNotFoundException {
        ClassLoader loader = layer.findLoader("io.predicator");
        Class<?> backend = Class.forName(JitBackend.class.getName(), false, loader);
        Class<?> provider = Class.forName(SymbolResolverProvider.class.getName(), false, loader);

        assertThat(ServiceLoader.load(layer, backend).stream().map(found -> found.type().getName()))
                .containsExactly("io.predicator.orc.OrcBackend");
        assertThat(ServiceLoader.load(layer, provider).stream().map(found -> found.type().getModule().getName()))
                .containsExactlyInAnyOrder("io.predicator.resolver.naive", "io.predicator.resolver.libc",
                        "io.predicator.resolver.statics");
        assertThat(descriptor("io.predicator.resolvers").uses()).contains(SymbolResolverProvider.class.getName());
    }

    private static ModuleDescriptor descriptor(String name) {
        return layer.findModule(name).orElseThrow().getDescriptor();
    }

    /** A class path entry with a module descriptor, or a jar that names its automatic module. */
    private static boolean isModule(Path entry) {
        if (Files.isDirectory(entry)) {
            return Files.isRegularFile(entry.resolve("module-info.class"));
        }
        if (!entry.toString().endsWith(".jar") || !Files.isRegularFile(entry)) {
            return false;
        }
        try (JarFile jar = new JarFile(entry.toFile(), false, JarFile.OPEN_READ, Runtime.version())) {
            return jar.getJarEntry("module-info.class") != null
                    || (jar.getManifest() != null
                    && jar.getManifest().getMainAttributes().getValue("Automatic-Module-Name") != null);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + entry, e);
        }
    }
}
