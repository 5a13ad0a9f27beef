package io.predicator.cli;

import io.predicator.LoadOptions;
import picocli.CommandLine.Option;

/**
 * The options of commands that compile a plugin file in this process: what the load may assume of the file.
 */
final class LoadFlags {

    @Option(names = "--trusted",
            description = "Trust the file: compile it in this process instead of a compile worker (saves the "
                    + "round trip to the worker; a damaged or hostile file can then crash or hang the command "
                    + "instead of being refused).")
    private boolean trusted;

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
        return LoadOptions.builder().trustInput(trusted).preOptimized(preOptimized)
                .compileOnFirstUse(onFirstUse).build();
    }
}
