package io.predicator.toolchain.internal;

import io.predicator.toolchain.CompilationFailedException;
import io.predicator.toolchain.ToolNotFoundException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static java.util.Objects.requireNonNull;

/**
 * Runs a tool to completion with a deadline. Its output goes to files in a work directory rather than pipes, so a
 * tool that prints a lot (warnings for a large translation unit) never blocks on a full pipe.
 */
public final class Processes {
    private Processes() {
    }

    /**
     * What a finished tool left.
     *
     * @param exitCode the exit status
     * @param out what it printed on standard output
     * @param err what it printed on standard error
     */
    public record Result(int exitCode, String out, String err) {
        /** Returns whether the tool exited with status 0. */
        public boolean succeeded() {
            return exitCode == 0;
        }
    }

    /**
     * Runs a command and waits for it.
     *
     * @param compilerId for exceptions
     * @param command the program and its arguments
     * @param environment variables to set on top of this process's environment
     * @param directory the working directory, or null for this process's
     * @param workDirectory where the output files go
     * @param deadline the time (from {@link System#nanoTime()}) by which it must have finished
     * @return how it ended
     * @throws CompilationFailedException if it does not finish before the deadline (it is killed, with its children)
     * @throws ToolNotFoundException if the program cannot be started
     */
    public static Result run(String compilerId, List<String> command, Map<String, String> environment, Path directory,
                             Path workDirectory, long deadline) {
        requireNonNull(command, "command is null");
        try {
            Path out = Files.createTempFile(workDirectory, "out", ".txt");
            Path err = Files.createTempFile(workDirectory, "err", ".txt");
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
            if (directory != null) {
                builder.directory(directory.toFile());
            }
            builder.environment().putAll(environment);
            Process process;
            try {
                process = builder.start();
            } catch (IOException e) {
                String program = Path.of(command.getFirst()).getFileName().toString();
                throw new ToolNotFoundException(program, "cannot start " + command.getFirst() + ": " + e.getMessage());
            }
            boolean finished;
            try {
                finished = process.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                kill(process);
                Thread.currentThread().interrupt();
                throw new CompilationFailedException(compilerId, "interrupted while running "
                        + Path.of(command.getFirst()).getFileName(), read(err));
            }
            if (!finished) {
                kill(process);
                throw new CompilationFailedException(compilerId, Path.of(command.getFirst()).getFileName()
                        + " did not finish in time and was stopped; allow more time with Toolchain.Builder.timeout",
                        read(err));
            }
            Result result = new Result(process.exitValue(), read(out), read(err));
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
            return result;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command.getFirst() + ": " + e.getMessage(), e);
        }
    }

    /** Returns the deadline that is a timeout from now. */
    public static long deadline(Duration timeout) {
        long nanos;
        try {
            nanos = timeout.toNanos();
        } catch (ArithmeticException e) {
            nanos = Long.MAX_VALUE / 4;
        }
        return System.nanoTime() + Math.min(nanos, Long.MAX_VALUE / 4);
    }

    private static void kill(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String read(Path file) throws IOException {
        return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    }
}
