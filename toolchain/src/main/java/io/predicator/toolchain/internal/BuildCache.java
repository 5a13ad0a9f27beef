package io.predicator.toolchain.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * A content-addressed store of compiled plugins, safe for several processes at once.
 *
 * <p>A compilation's key (compiler, versions, settings, primary sources' content) names a manifest; the manifest
 * lists every file the compilation read with its hash, and the artifact, which is named by its own hash. A lookup
 * succeeds only while every listed file still has that hash. Everything is written to a temporary file and moved
 * into place atomically: readers see a complete entry or none, and two processes writing the same entry both
 * write correct content.
 */
public final class BuildCache {
    private static final String MAGIC = "predicator-toolchain-manifest 1";

    private final Path root;

    /**
     * Creates a cache in a directory, which is created when first written.
     *
     * @param root the cache directory
     */
    public BuildCache(Path root) {
        this.root = requireNonNull(root, "root is null").toAbsolutePath().normalize();
    }

    /** Returns the cache directory. */
    public Path root() {
        return root;
    }

    /** A cached compilation: the artifact's file and the compiler's warnings when it was built. */
    public record Entry(Path artifact, String diagnostics) {
    }

    /**
     * Creates a directory for one compilation's intermediate files, inside the cache so that artifacts can be moved
     * from it atomically.
     */
    public Path newWorkDirectory() {
        try {
            Path tmp = Files.createDirectories(root.resolve("tmp"));
            return Files.createTempDirectory(tmp, "build-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a work directory in the toolchain cache " + root + ": "
                    + e.getMessage(), e);
        }
    }

    /**
     * Looks a compilation up.
     *
     * @param key the compilation's key
     * @return the entry, if one exists and every file it was built from is unchanged
     */
    public Optional<Entry> lookup(String key) {
        List<String> lines;
        try {
            lines = Files.readAllLines(manifest(key), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
        if (lines.isEmpty() || !lines.getFirst().equals(MAGIC)) {
            return Optional.empty();
        }
        Path artifact = null;
        String diagnostics = "";
        for (String line : lines.subList(1, lines.size())) {
            if (line.startsWith("artifact ")) {
                artifact = root.resolve(line.substring("artifact ".length()));
            } else if (line.startsWith("diagnostics ")) {
                diagnostics = new String(Base64.getDecoder().decode(line.substring("diagnostics ".length())),
                        StandardCharsets.UTF_8);
            } else if (line.startsWith("input ")) {
                int space = line.indexOf(' ', "input ".length());
                String hash = line.substring("input ".length(), space);
                Path input = Path.of(line.substring(space + 1));
                if (!Files.isRegularFile(input) || !hash.equals(Hashing.file(input))) {
                    return Optional.empty();
                }
            }
        }
        if (artifact == null || !Files.isRegularFile(artifact)) {
            return Optional.empty();
        }
        return Optional.of(new Entry(artifact, diagnostics));
    }

    /**
     * Stores a compilation's output.
     *
     * @param key the compilation's key
     * @param output the file the compiler wrote, in a {@linkplain #newWorkDirectory() work directory}; moved
     * @param extension the artifact's file name extension, such as {@code bc}
     * @param inputs every file the compilation read
     * @param diagnostics the compiler's warnings
     * @return the artifact's path in the cache
     */
    public Path store(String key, Path output, String extension, List<Path> inputs, String diagnostics) {
        try {
            String hash = Hashing.file(output);
            String relative = "artifacts/" + hash.substring(0, 2) + "/" + hash + "." + extension;
            Path artifact = root.resolve(relative);
            Files.createDirectories(artifact.getParent());
            if (!Files.isRegularFile(artifact)) {
                moveAtomically(output, artifact);
            }
            List<String> lines = new ArrayList<>();
            lines.add(MAGIC);
            lines.add("artifact " + relative);
            for (Path input : inputs) {
                if (Files.isRegularFile(input)) {
                    lines.add("input " + Hashing.file(input) + " " + input.toAbsolutePath().normalize());
                }
            }
            lines.add("diagnostics " + Base64.getEncoder().encodeToString(diagnostics.getBytes(StandardCharsets.UTF_8)));
            Path manifest = manifest(key);
            Files.createDirectories(manifest.getParent());
            Path temporary = Files.createTempFile(manifest.getParent(), "manifest", ".tmp");
            Files.write(temporary, lines, StandardCharsets.UTF_8);
            moveAtomically(temporary, manifest);
            return artifact;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store a compiled plugin in the toolchain cache " + root + ": "
                    + e.getMessage(), e);
        }
    }

    private Path manifest(String key) {
        return root.resolve("manifests").resolve(key.substring(0, 2)).resolve(key);
    }

    private static void moveAtomically(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Deletes a directory tree, ignoring what cannot be deleted. */
    public static void deleteTree(Path directory) {
        if (directory == null || !Files.exists(directory)) {
            return;
        }
        try (var paths = Files.walk(directory)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException ignored) {
                    // A leftover temporary file costs only space.
                }
            });
        } catch (IOException | UncheckedIOException ignored) {
            // As above.
        }
    }
}
