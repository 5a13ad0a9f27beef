package io.predicator.cli;

import io.predicator.toolchain.ToolNotFoundException;
import io.predicator.toolchain.Toolchain;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Skips a test, visibly, when cargo or rustc is not installed; Rust examples run everywhere else.
 */
final class Cargo {
    private Cargo() {
    }

    static void assumeInstalled() {
        String missing = null;
        try {
            Toolchain.detect().compilers().stream().filter(compiler -> compiler.id().equals("rust")).findFirst()
                    .orElseThrow().version();
        } catch (ToolNotFoundException e) {
            missing = e.getMessage();
        }
        String reason = missing;
        assumeTrue(reason == null, () -> "Rust example skipped: " + reason);
    }
}
