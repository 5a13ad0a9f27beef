package io.predicator.toolchain;

import io.predicator.toolchain.spi.PluginCompiler;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Skips a test, visibly, when cargo or rustc is not installed; Rust tests run everywhere else.
 */
final class Cargo {
    private Cargo() {
    }

    /** Returns the Rust compiler, or skips the calling test with the reason if its tools are missing. */
    static PluginCompiler assumeInstalled(Toolchain toolchain) {
        PluginCompiler rust = toolchain.compilers().stream().filter(compiler -> compiler.id().equals("rust"))
                .findFirst().orElseThrow();
        String missing = null;
        try {
            rust.version();
        } catch (ToolNotFoundException e) {
            missing = e.getMessage();
        }
        assumeTrue(missing == null, () -> "Rust test skipped: " + missingReason());
        return rust;
    }

    private static String missingReason() {
        return "cargo or rustc is not installed (install Rust with rustup to run it)";
    }
}
