package io.predicator.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The top-level {@code predicator} command; it only dispatches to its subcommands.
 */
@Command(name = "predicator",
        mixinStandardHelpOptions = true,
        versionProvider = PredicatorCommand.Version.class,
        description = "Loads native plugins (LLVM IR, bitcode, ELF objects, ar archives) through LLVM's ORC JIT "
                + "and calls them from Java; builds them from C and Rust.",
        subcommands = {RunCommand.class, InspectCommand.class, BuildCommand.class, NewCommand.class},
        footer = {"", "Exit status: 0 on success, 1 when loading or calling fails, 2 for bad usage, 3 when the "
                + "plugin faulted (crashed, aborted, exited or panicked)."})
final class PredicatorCommand implements Runnable {
    /** The option that makes errors print their stack trace; ErrorReporter looks for it by name. */
    static final String VERBOSE = "--verbose";

    @Spec
    private CommandSpec spec;

    @Option(names = VERBOSE, scope = ScopeType.INHERIT, description = "Print the stack trace of errors.")
    private boolean verbose;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(),
                "missing command: use 'predicator run FILE FUNCTION [ARGS...]', 'predicator inspect FILE', "
                        + "'predicator build SRC... -o OUT' or 'predicator new --lang rust|c NAME'");
    }

    /** Reports the version from the jar's manifest. */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = PredicatorCommand.class.getPackage().getImplementationVersion();
            return new String[] {"predicator " + (version == null ? "(development build)" : version)};
        }
    }
}
