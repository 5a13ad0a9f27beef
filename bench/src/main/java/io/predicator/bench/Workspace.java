package io.predicator.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the benchmarks keep what they build: compiled plugins, the object cache of the large plugin, results.
 *
 * <p>{@code ./bench/run} passes {@code -Dpredicator.bench.work=bench/target/work} to every fork; without it the
 * directory is {@code bench/target/work} when run from the repository root, else {@code target/work}.
 */
final class Workspace {
    /** The system property naming the work directory. */
    static final String PROPERTY = "predicator.bench.work";

    private Workspace() {
    }

    /** Returns the work directory, created if missing. */
    static Path root() {
        String configured = System.getProperty(PROPERTY);
        Path root = configured != null ? Path.of(configured)
                : Files.isDirectory(Path.of("bench", "src")) ? Path.of("bench", "target", "work") : Path.of("target", "work");
        return created(root.toAbsolutePath().normalize());
    }

    /** Returns a subdirectory of the work directory, created if missing. */
    static Path directory(String name) {
        return created(root().resolve(name));
    }

    /**
     * Returns the SQLite amalgamation that {@code bench/fetch-large-plugin.sh} unpacks next to the work directory.
     */
    static Path largePluginSource() {
        return root().resolveSibling("large-plugin").resolve("sqlite3.c");
    }

    private static Path created(Path directory) {
        try {
            return Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create " + directory, e);
        }
    }
}
