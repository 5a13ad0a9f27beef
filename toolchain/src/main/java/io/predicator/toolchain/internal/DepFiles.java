package io.predicator.toolchain.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads Makefile-style dependency files ({@code target: dep dep \}), as clang's {@code -MD} and rustc's and
 * cargo's dep-info write them.
 */
public final class DepFiles {
    private DepFiles() {
    }

    /**
     * Returns the prerequisites of every rule in a dependency file, in order, without duplicates.
     *
     * @param file the dependency file
     * @param base the directory relative paths are relative to
     * @return the absolute paths of the files listed as prerequisites
     */
    public static List<Path> prerequisites(Path file, Path base) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read dependency file " + file + ": " + e.getMessage(), e);
        }
        Set<Path> paths = new LinkedHashSet<>();
        for (String rule : joinContinuations(text)) {
            int colon = ruleColon(rule);
            if (colon < 0) {
                continue;
            }
            for (String word : words(rule.substring(colon + 1))) {
                Path path = Path.of(word);
                paths.add((path.isAbsolute() ? path : base.resolve(path)).normalize());
            }
        }
        return new ArrayList<>(paths);
    }

    private static List<String> joinContinuations(String text) {
        List<String> rules = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            if (line.endsWith("\\") && !line.endsWith("\\\\")) {
                current.append(line, 0, line.length() - 1).append(' ');
            } else {
                current.append(line);
                rules.add(current.toString());
                current.setLength(0);
            }
        }
        return rules;
    }

    /** Finds the colon that ends the targets: the first ": " or a colon at the end, skipping escaped ones. */
    private static int ruleColon(String rule) {
        for (int i = 0; i < rule.length(); i++) {
            char c = rule.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == ':' && (i + 1 == rule.length() || Character.isWhitespace(rule.charAt(i + 1)))) {
                return i;
            }
        }
        return -1;
    }

    private static List<String> words(String text) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\' && i + 1 < text.length() && (text.charAt(i + 1) == ' ' || text.charAt(i + 1) == '#'
                    || text.charAt(i + 1) == ':')) {
                word.append(text.charAt(++i));
            } else if (c == '$' && i + 1 < text.length() && text.charAt(i + 1) == '$') {
                word.append('$');
                i++;
            } else if (Character.isWhitespace(c)) {
                if (!word.isEmpty()) {
                    words.add(word.toString());
                    word.setLength(0);
                }
            } else {
                word.append(c);
            }
        }
        if (!word.isEmpty()) {
            words.add(word.toString());
        }
        return words;
    }
}
