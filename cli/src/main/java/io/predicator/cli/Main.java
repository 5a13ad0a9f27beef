package io.predicator.cli;

import picocli.CommandLine;

/**
 * The entry point of the {@code predicator} command, which runs a function of a native plugin or shows what a
 * plugin exports and imports.
 *
 * <pre>
 * predicator run examples/hello/add.ll add 2 3
 * predicator inspect examples/hello/add.ll
 * </pre>
 *
 * <p>Errors are reported as one line on standard error, {@code predicator: <message>}; the exit status is 0 on
 * success, 1 when loading or calling fails, 2 for bad usage and 3 when the plugin faulted.
 *
 * @since 0.1
 */
public final class Main {
    private Main() {
    }

    /**
     * Runs the command line and exits the JVM with its status.
     *
     * @param args the command-line arguments, such as {@code run add.ll add 2 3}
     */
    public static void main(String... args) {
        System.exit(commandLine().execute(args));
    }

    /**
     * Creates the configured command line; callers may redirect its output with {@link CommandLine#setOut} and
     * {@link CommandLine#setErr} before {@link CommandLine#execute}.
     */
    static CommandLine commandLine() {
        ErrorReporter errors = new ErrorReporter();
        return new CommandLine(new PredicatorCommand())
                .setParameterExceptionHandler(errors)
                .setExecutionExceptionHandler(errors);
    }
}
