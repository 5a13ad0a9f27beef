package io.predicator.toolchain;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * Generates ready plugin projects: a sample exported function, the build settings a JIT-loaded plugin needs, a
 * README and a test, in C or in {@code #![no_std]} Rust.
 *
 * <ul>
 *   <li>{@code c}: {@code plugin.c}, {@code test.sh} (checks the functions through {@code predicator run}),
 *       {@code README.md}.</li>
 *   <li>{@code rust}: {@code Cargo.toml} ({@code staticlib}, {@code panic = "abort"}, fat LTO, one codegen unit),
 *       {@code src/lib.rs} (exported functions, the panic handler, unit tests for {@code cargo test}),
 *       {@code README.md}, {@code .gitignore}.</li>
 * </ul>
 *
 * @since 0.1
 */
public final class PluginProject {
    private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_-]{0,63}");

    /** Template resource name to the file it becomes, per language. */
    private static final Map<String, Map<String, String>> TEMPLATES = Map.of(
            "c", Map.of("plugin.c", "plugin.c", "test.sh", "test.sh", "README.md", "README.md"),
            "rust", Map.of("Cargo.toml", "Cargo.toml", "src/lib.rs", "src/lib.rs", "README.md", "README.md",
                    "gitignore", ".gitignore"));

    private PluginProject() {
    }

    /**
     * Returns the languages there are templates for.
     *
     * @return {@code c} and {@code rust}
     */
    public static List<String> languages() {
        return TEMPLATES.keySet().stream().sorted().toList();
    }

    /**
     * Creates a plugin project.
     *
     * @param language {@code c} or {@code rust}
     * @param name the project's name: a letter, then letters, digits, {@code -} or {@code _}
     * @param directory the directory to create it in; must not exist or be empty
     * @return the files created, sorted
     * @throws IllegalArgumentException if the language or name is not valid, or the directory is not empty
     * @throws UncheckedIOException if a file cannot be written
     */
    public static List<Path> create(String language, String name, Path directory) {
        requireNonNull(language, "language is null");
        requireNonNull(name, "name is null");
        requireNonNull(directory, "directory is null");
        Map<String, String> files = TEMPLATES.get(language);
        if (files == null) {
            throw new IllegalArgumentException("no project template for '" + language + "': use one of " + languages());
        }
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("'" + name + "' is not a plugin name: start with a letter, then use "
                    + "letters, digits, - and _ (at most 64)");
        }
        try {
            if (Files.exists(directory)) {
                if (!Files.isDirectory(directory)) {
                    throw new IllegalArgumentException(directory + " exists and is not a directory");
                }
                try (var entries = Files.list(directory)) {
                    if (entries.findAny().isPresent()) {
                        throw new IllegalArgumentException(directory + " is not empty: choose a new directory");
                    }
                }
            }
            List<Path> created = new ArrayList<>();
            for (Map.Entry<String, String> file : files.entrySet()) {
                String text = template(language + "/" + file.getKey())
                        .replace("{{name}}", name)
                        .replace("{{crate}}", name.replace('-', '_'));
                Path target = directory.resolve(file.getValue());
                Files.createDirectories(target.getParent());
                Files.writeString(target, text, StandardCharsets.UTF_8);
                if (target.getFileName().toString().endsWith(".sh")) {
                    makeExecutable(target);
                }
                created.add(target);
            }
            created.sort(null);
            return List.copyOf(created);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the project in " + directory + ": " + e.getMessage(), e);
        }
    }

    private static String template(String resource) throws IOException {
        try (InputStream in = PluginProject.class.getResourceAsStream("templates/" + resource)) {
            if (in == null) {
                throw new IllegalStateException("the template " + resource + " is missing from the toolchain jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static void makeExecutable(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (UnsupportedOperationException e) {
            file.toFile().setExecutable(true);
        }
    }
}
