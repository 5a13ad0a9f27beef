package io.predicator.orc.internal.worker;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One compile worker: a JVM of its own running {@code CompileWorkerMain}, which compiles one request at a time
 * with the backend's pipeline stages and answers through its standard output. Whatever LLVM does to it (crash,
 * abort, fatal error, a stack or memory exhausted, a compile that never ends) ends only this process. Owned by
 * {@link CompileWorkers}; one caller at a time.
 */
final class CompileWorker implements AutoCloseable {
    /** Kept of the worker's standard error, for the message when it dies: its last lines say why. */
    private static final int ERROR_TAIL_BYTES = 16 * 1024;
    /** What {@code FatalErrors} prints before LLVM ends the process, and what LLVM itself prints. */
    private static final List<String> FATAL_MARKERS = List.of("LLVM reported a fatal error and will end the process: ",
            "LLVM ERROR: ");
    /** Time a dead worker gets to report its exit status, after its output closed. */
    private static final long EXIT_WAIT_MILLIS = 2_000;
    private static final int SIGNAL_EXIT = 128;

    private final Process process;
    private final DataOutputStream requests;
    private final DataInputStream responses;
    private final StringBuilder errorTail = new StringBuilder();
    private final AtomicBoolean killedAtDeadline = new AtomicBoolean();

    private CompileWorker(Process process) {
        this.process = process;
        this.requests = new DataOutputStream(new BufferedOutputStream(process.getOutputStream(), 1 << 16));
        this.responses = new DataInputStream(new BufferedInputStream(process.getInputStream(), 1 << 16));
        Thread.ofVirtual().name("predicator-compile-worker-stderr-" + process.pid()).start(this::drainErrors);
    }

    /**
     * Starts a worker and waits until it is ready (the JVM started and LLVM loaded).
     *
     * @throws WorkerFailure if it cannot start
     */
    static CompileWorker start(WorkerCommand command) {
        Process process;
        try {
            process = new ProcessBuilder(command.arguments()).start();
        } catch (IOException e) {
            throw new WorkerFailure(WorkerFailure.Reason.CANNOT_START, "cannot start a compile worker ("
                    + command.arguments().getFirst() + "): " + e.getMessage(), null);
        }
        CompileWorker worker = new CompileWorker(process);
        try {
            int ready = worker.responses.read();
            if (ready != WorkerProtocol.READY) {
                throw worker.died("a compile worker did not start");
            }
            return worker;
        } catch (IOException e) {
            throw worker.died("a compile worker did not start");
        } catch (WorkerFailure e) {
            worker.close();
            throw new WorkerFailure(WorkerFailure.Reason.CANNOT_START, e.getMessage(), e.fatalError());
        }
    }

    /**
     * Compiles one module.
     *
     * @param timeout how long the compile may take; past it the worker is killed
     * @param deadlines the process's one timer
     * @return the worker's answer
     * @throws WorkerFailure if the worker died or was killed; it is then closed
     */
    WorkerProtocol.Response compile(WorkerProtocol.Request request, Duration timeout, Deadlines deadlines) {
        ScheduledFuture<?> deadline = deadlines.schedule(() -> {
            killedAtDeadline.set(true);
            process.destroyForcibly();
        }, timeout.toNanos(), TimeUnit.NANOSECONDS);
        try {
            request.write(requests);
            return WorkerProtocol.Response.read(responses);
        } catch (IOException e) {
            if (killedAtDeadline.get()) {
                close();
                throw new WorkerFailure(WorkerFailure.Reason.TIMED_OUT, "the compile did not finish within "
                        + describe(timeout) + " (the compile worker was killed)", null);
            }
            throw died("the compile worker ended while compiling it");
        } finally {
            deadline.cancel(false);
        }
    }

    /** Returns whether the worker can take a request. */
    boolean isAlive() {
        return process.isAlive() && !killedAtDeadline.get();
    }

    /** Ends the worker; idempotent. */
    @Override
    public void close() {
        process.destroyForcibly();
    }

    /** Builds the failure of a worker that ended, with its exit status and LLVM's last words, and closes it. */
    private WorkerFailure died(String what) {
        String status;
        try {
            if (process.waitFor(EXIT_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
                int exit = process.exitValue();
                status = exit > SIGNAL_EXIT ? "signal " + (exit - SIGNAL_EXIT) + signalName(exit - SIGNAL_EXIT)
                        : "exit status " + exit;
            } else {
                status = "no exit status";
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            status = "interrupted while waiting for its exit status";
        } finally {
            close();
        }
        String errors;
        synchronized (errorTail) {
            errors = errorTail.toString();
        }
        String fatal = fatalError(errors);
        String crash = crashReport();
        String message = what + " (" + (crash != null ? crash : status) + ")" + (fatal != null
                ? ": LLVM reported: " + fatal : crash != null ? "" : lastLine(errors).map(line -> ": " + line).orElse(""));
        return new WorkerFailure(WorkerFailure.Reason.DIED, message, fatal);
    }

    /**
     * The signal and the native frame the JVM's crash report names ("SIGSEGV in
     * llvm::BitcodeReader::parseFunctionBody()+0x2c"), or null if the worker wrote none; the report is deleted.
     */
    private String crashReport() {
        Path file = WorkerCommand.crashReport(Long.toString(process.pid()));
        try {
            if (!Files.exists(file)) {
                return null;
            }
            String signal = null;
            String frame = null;
            boolean next = false;
            for (String line : Files.readAllLines(file, StandardCharsets.ISO_8859_1)) {
                String text = line.startsWith("#") ? line.substring(1).strip() : line.strip();
                if (signal == null && text.matches("SIG[A-Z]+ \\(0x[0-9a-f]+\\).*")) {
                    signal = text.substring(0, text.indexOf(' '));
                } else if (text.startsWith("Problematic frame:")) {
                    next = true;
                } else if (next) {
                    int bracket = text.indexOf(']');
                    frame = (bracket >= 0 ? text.substring(bracket + 1) : text).strip();
                    break;
                }
            }
            return signal == null ? null : signal + (frame == null || frame.isEmpty() ? "" : " in " + frame);
        } catch (IOException e) {
            return null;
        } finally {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // left in the temporary directory
            }
        }
    }

    private void drainErrors() {
        byte[] buffer = new byte[4096];
        try (InputStream errors = process.getErrorStream()) {
            int read;
            while ((read = errors.read(buffer)) >= 0) {
                synchronized (errorTail) {
                    errorTail.append(new String(buffer, 0, read, StandardCharsets.UTF_8));
                    if (errorTail.length() > ERROR_TAIL_BYTES) {
                        errorTail.delete(0, errorTail.length() - ERROR_TAIL_BYTES);
                    }
                }
            }
        } catch (IOException ignored) {
            // the worker is gone
        }
    }

    /** The text of the last fatal error the worker printed, or null. */
    static String fatalError(String errors) {
        String found = null;
        for (String line : errors.lines().toList()) {
            for (String marker : FATAL_MARKERS) {
                int at = line.indexOf(marker);
                if (at >= 0) {
                    String text = line.substring(at + marker.length()).strip();
                    int advice = text.indexOf(". Please report");
                    found = advice >= 0 ? text.substring(0, advice) : text;
                }
            }
        }
        return found;
    }

    private static java.util.Optional<String> lastLine(String errors) {
        List<String> lines = errors.lines().map(String::strip)
                .filter(line -> !line.isEmpty() && !line.startsWith("#") && !line.startsWith("PLEASE ")
                        && !line.startsWith("Stack dump")).toList();
        return lines.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(lines.getLast());
    }

    private static String signalName(int signal) {
        return switch (signal) {
            case 4 -> ", SIGILL";
            case 6 -> ", SIGABRT";
            case 7 -> ", SIGBUS";
            case 8 -> ", SIGFPE";
            case 9 -> ", SIGKILL";
            case 11 -> ", SIGSEGV";
            default -> "";
        };
    }

    static String describe(Duration timeout) {
        return timeout.toMillis() >= 1000 && timeout.toMillis() % 1000 == 0 ? timeout.toSeconds() + " s"
                : timeout.toMillis() + " ms";
    }
}
