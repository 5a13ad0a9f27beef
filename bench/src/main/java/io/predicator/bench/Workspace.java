package io.predicator.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

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
     * Returns the SQLite amalgamation, fetched and cached by {@code examples/sqlite/fetch.sh} (the one fetch the SQLite
     * example and its test use too), or empty if it cannot be fetched here (no npm, or no registry).
     *
     * @throws IllegalStateException if the fetch fails for another reason, such as a wrong checksum
     */
    static synchronized Optional<Path> largePluginSource() {
        if (largePluginSource == null) {
            largePluginSource = fetchLargePlugin();
        }
        return largePluginSource;
    }

    private static Optional<Path> largePluginSource;

    private static Optional<Path> fetchLargePlugin() {
        Path script = Path.of("examples", "sqlite", "fetch.sh");
        if (!Files.isRegularFile(script)) {
            script = Path.of("..").resolve(script); // run from bench/
        }
        try {
            Process fetch = new ProcessBuilder("bash", script.toString())
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String out = new String(fetch.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            int status = fetch.waitFor();
            if (status == 3) {
                return Optional.empty();
            }
            if (status != 0) {
                throw new IllegalStateException(script + " failed with status " + status);
            }
            return Optional.of(Path.of(out.lines().reduce((first, last) -> last).orElseThrow()).resolve("sqlite3.c"));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot run " + script, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while fetching the large plugin", e);
        }
    }

    private static Path created(Path directory) {
        try {
            return Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create " + directory, e);
        }
    }
}
