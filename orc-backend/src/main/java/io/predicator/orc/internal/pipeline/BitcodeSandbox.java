package io.predicator.orc.internal.pipeline;

import io.predicator.CompilationException;
import io.predicator.ConfigurationException;
import io.predicator.MalformedModuleException;
import io.predicator.orc.programs.LlvmPrograms;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Reads bitcode in a separate process before the JVM's own LLVM does, for loads that declare it untrusted.
 *
 * <p>LLVM's bitcode reader is not hardened against damaged input: fuzzing found single bit flips that make it
 * write out of bounds, abort on a huge allocation or crash outright (about 3 in 1,000 random flips), and there is no
 * way to survive that in-process. The bundled {@code llvm-dis} runs the same reader over the whole module
 * (materialising every function, as the in-process load does) and discards the output; if it crashes, aborts, is
 * killed by its memory limit, times out or reports an error, the load is refused with a
 * {@link MalformedModuleException} naming what happened, and the JVM never parses the file. It costs a process
 * start: about 10 ms for a small module.
 */
final class BitcodeSandbox {
    /** Address space allowed to the reader: LLVM's own needs plus a generous multiple of the input. */
    private static final long BASE_MEMORY_BYTES = 1L << 30;
    private static final long MEMORY_PER_INPUT_BYTE = 64;
    private static final long BASE_TIMEOUT_MILLIS = 30_000;
    private static final long TIMEOUT_MILLIS_PER_MIB = 5_000;
    /** Exit statuses 125 (no memory limit), 126 and 127 (cannot execute) up to 128: the check could not run. */
    private static final int CANNOT_RUN = 125;
    private static final int SIGNAL_EXIT = 128;

    private BitcodeSandbox() {
    }

    /**
     * Refuses bitcode that LLVM's reader cannot read safely.
     *
     * @param sourceName for messages
     * @param bitcode the module
     * @throws MalformedModuleException if the reader crashed or refused it
     * @throws ConfigurationException if the bundled reader cannot run on this platform
     */
    static void check(String sourceName, byte[] bitcode) {
        LlvmPrograms llvm = LlvmPrograms.get();
        long memoryKib = (BASE_MEMORY_BYTES + MEMORY_PER_INPUT_BYTE * bitcode.length) / 1024;
        // The shell lowers the soft memory limit (never above the hard one the JVM may run under); exec then
        // replaces it with the reader, which reads standard input. 125: the shell could not set the limit.
        String script = "limit=" + memoryKib + "; hard=$(ulimit -H -v); "
                + "if [ \"$hard\" != unlimited ] && [ \"$hard\" -lt \"$limit\" ]; then limit=$hard; fi; "
                + "ulimit -S -v \"$limit\" || exit 125; exec \"$0\" -o /dev/null -";
        List<String> command = List.of("/bin/sh", "-c", script, llvm.program("llvm-dis").toString());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> environment = builder.environment();
        environment.putAll(llvm.environment());
        environment.put("LLVM_DISABLE_CRASH_REPORT", "1");
        environment.put("LLVM_DISABLE_SYMBOLIZATION", "1");
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new ConfigurationException("cannot start the bundled llvm-dis to check untrusted bitcode: "
                    + e.getMessage(), e);
        }
        try {
            CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> read(process.getInputStream()),
                    Thread::startVirtualThread);
            Thread.startVirtualThread(() -> write(process, bitcode)); // the timeout covers a reader that stops reading
            long timeout = BASE_TIMEOUT_MILLIS + TIMEOUT_MILLIS_PER_MIB * (bitcode.length >> 20);
            if (!process.waitFor(timeout, TimeUnit.MILLISECONDS)) {
                throw new MalformedModuleException(sourceName, "LLVM's bitcode reader, run in a separate process to "
                        + "check this untrusted bitcode, did not finish within " + timeout / 1000 + " s");
            }
            int status = process.exitValue();
            if (status == 0) {
                return;
            }
            String message = firstLines(output.join());
            if (status >= CANNOT_RUN && status <= SIGNAL_EXIT) {
                throw new ConfigurationException("cannot run the bundled llvm-dis to check untrusted bitcode (exit "
                        + "status " + status + ")" + suffix(message));
            }
            throw new MalformedModuleException(sourceName, status > SIGNAL_EXIT
                    ? "LLVM's bitcode reader crashed on it (signal " + (status - SIGNAL_EXIT) + ", in a separate "
                    + "process that checks untrusted bitcode; the JVM did not read it)" + suffix(message)
                    : "LLVM's bitcode reader refused it" + suffix(message));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CompilationException("Interrupted while checking untrusted bitcode of plugin '" + sourceName
                    + "'");
        } finally {
            process.destroyForcibly();
        }
    }

    /** Writes the bitcode to the reader; a reader that stops reading (it failed early) is not an error here. */
    private static void write(Process process, byte[] bitcode) {
        try (OutputStream input = process.getOutputStream()) {
            input.write(bitcode);
        } catch (IOException brokenPipe) {
            // The exit status says why.
        }
    }

    /** Keeps the first 64 KiB of the reader's messages and discards the rest, so that it never blocks on them. */
    private static String read(InputStream stream) {
        try (stream) {
            String kept = new String(stream.readNBytes(64 * 1024), StandardCharsets.UTF_8);
            stream.transferTo(OutputStream.nullOutputStream());
            return kept;
        } catch (IOException e) {
            return "";
        }
    }

    /** The reader's first error lines, without its program-name prefix and crash banner. */
    private static String firstLines(String output) {
        List<String> lines = new ArrayList<>();
        for (String line : output.lines().toList()) {
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("PLEASE ") || trimmed.startsWith("Stack dump")) {
                continue;
            }
            lines.add(trimmed.replaceFirst("^\\S*llvm-dis:\\s*", ""));
            if (lines.size() == 2) {
                break;
            }
        }
        return String.join("; ", lines);
    }

    private static String suffix(String message) {
        return message.isEmpty() ? "" : ": " + message;
    }
}
