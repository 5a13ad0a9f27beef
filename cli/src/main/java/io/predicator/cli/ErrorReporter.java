package io.predicator.cli;

import io.predicator.JitException;
import io.predicator.PluginFaultException;
import io.predicator.toolchain.CompilationFailedException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.Arrays;

/**
 * Turns every failure into one line on standard error, {@code predicator: <message>}, and an exit status: 2 for
 * bad usage, {@value #FAULT_STATUS} when the plugin faulted, 1 for everything else. With {@code --verbose} the stack
 * trace follows the line.
 */
final class ErrorReporter implements IParameterExceptionHandler, IExecutionExceptionHandler {
    /** The exit status after a plugin fault: the command's own, never the signal or status the plugin raised. */
    static final int FAULT_STATUS = 3;

    @Override
    public int handleParseException(ParameterException exception, String[] args) {
        CommandLine command = exception.getCommandLine();
        String help = command.getCommandSpec().qualifiedName() + " --help";
        report(command, firstLine(exception.getMessage()) + " (see '" + help + "')", exception,
                Arrays.asList(args).contains(PredicatorCommand.VERBOSE));
        return command.getCommandSpec().exitCodeOnInvalidInput();
    }

    @Override
    public int handleExecutionException(Exception exception, CommandLine command, ParseResult parseResult) {
        if (exception instanceof CompilationFailedException failed) {
            // One line, then the compiler's own words, verbatim: they carry the file and line to fix.
            report(command, failed.summary(), exception, verbose(command));
            if (!failed.diagnostics().isBlank()) {
                PrintWriter err = command.getErr();
                err.print(failed.diagnostics().endsWith("\n") ? failed.diagnostics() : failed.diagnostics() + "\n");
                err.flush();
            }
            return command.getCommandSpec().exitCodeOnExecutionException();
        }
        if (exception instanceof PluginFaultException fault) {
            // A panic's message may span lines (Rust puts the location first); the fault stays one line.
            report(command, fault.getMessage().strip().replaceAll("\\s*\\R\\s*", " "), exception, verbose(command));
            return FAULT_STATUS;
        }
        report(command, describe(exception), exception, verbose(command));
        return command.getCommandSpec().exitCodeOnExecutionException();
    }

    /**
     * Describes a failure in one line: expected failures by their message alone, unexpected ones with their type.
     */
    static String describe(Throwable exception) {
        String message = exception.getMessage();
        if (exception instanceof JitException || exception instanceof CommandFailure
                || exception instanceof UncheckedIOException) {
            return message == null ? exception.getClass().getSimpleName() : firstLine(message);
        }
        return "unexpected " + exception.getClass().getName() + (message == null ? "" : ": " + firstLine(message))
                + " (run with " + PredicatorCommand.VERBOSE + " for the stack trace)";
    }

    private static void report(CommandLine command, String line, Throwable exception, boolean verbose) {
        PrintWriter err = command.getErr();
        err.println(command.getCommandSpec().root().name() + ": " + line);
        if (verbose) {
            exception.printStackTrace(err);
        }
        err.flush();
    }

    private static String firstLine(String message) {
        String stripped = message.strip();
        int newline = stripped.indexOf('\n');
        return newline < 0 ? stripped : stripped.substring(0, newline).strip() + " (--verbose shows the rest)";
    }

    private static boolean verbose(CommandLine command) {
        CommandLine root = command;
        while (root.getParent() != null) {
            root = root.getParent();
        }
        for (ParseResult result = root.getParseResult(); result != null; result = result.subcommand()) {
            if (result.hasMatchedOption(PredicatorCommand.VERBOSE)) {
                return true;
            }
        }
        return false;
    }
}
