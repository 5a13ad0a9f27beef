package io.predicator.cli;

import io.predicator.LoadOptions;
import picocli.CommandLine.Option;

/**
 * The options of commands that compile a plugin file in this process: what the load may assume of the file.
 */
final class LoadFlags {

    @Option(names = "--untrusted",
            description = "Read bitcode in a separate process first: damaged bitcode that would crash LLVM's reader is "
                    + "refused instead (about 10 ms).")
    private boolean untrusted;

    @Option(names = "--pre-optimized",
            description = "The IR or bitcode is optimised already (clang -O2): only generate code for this CPU.")
    private boolean preOptimized;

    @Option(names = "--on-first-use",
            description = "Compile each function when it is first called, with what it reaches, instead of the whole "
                    + "module at load: a large plugin of which a few functions are used starts in a fraction of the "
                    + "time.")
    private boolean onFirstUse;

    /** Returns these flags as load options. */
    LoadOptions loadOptions() {
        return LoadOptions.builder().untrustedBitcode(untrusted).preOptimized(preOptimized)
                .compileOnFirstUse(onFirstUse).build();
    }
}
