package io.predicator.orc.internal.pipeline;

import io.predicator.JitException;
import io.predicator.MalformedModuleException;
import io.predicator.PolicyViolationException;
import io.predicator.UnsupportedModuleException;
import io.predicator.orc.internal.worker.MemoryLimit;
import io.predicator.orc.internal.worker.WorkerProtocol;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A compile worker's entry point: the process in which untrusted IR and bitcode meet LLVM. It runs the same
 * stages as an in-process compile ({@link IrCompiler}: parse, check, optimise, emit, split compiles on several
 * threads for large modules), one request at a time, and answers with the compiled module or the exception the
 * stages threw. Whatever LLVM does to this process, the JVM that asked sees only a worker that ended.
 *
 * <p>Standard output carries the protocol ({@link WorkerProtocol}) and nothing else: {@code System.out} is
 * pointed at standard error, where LLVM's own messages go too.
 */
public final class CompileWorkerMain {
    private static final String WARM_UP = "define i32 @warm_up(i32 %x) {\n  %y = add i32 %x, 1\n  ret i32 %y\n}\n";

    /** The worker's JIT for trial links of objects, created by the first one. */
    private static JitLinker linker;

    private CompileWorkerMain() {
    }

    private static JitLinker linker() {
        if (linker == null) {
            linker = new JitLinker();
        }
        return linker;
    }

    /**
     * Serves requests from standard input until it closes.
     *
     * @param arguments none
     * @throws IOException if the protocol streams fail (the JVM that started this worker is gone)
     */
    public static void main(String[] arguments) throws IOException {
        MemoryLimit.applyToThisProcess();
        DataInputStream requests = new DataInputStream(new BufferedInputStream(System.in, 1 << 16));
        DataOutputStream responses = new DataOutputStream(new BufferedOutputStream(
                new FileOutputStream(FileDescriptor.out), 1 << 16));
        System.setOut(new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8));
        Map<List<Long>, IrCompiler> compilers = new HashMap<>();
        compile(compilers, new WorkerProtocol.Request("warm-up", 2, true, false, 1, Long.MAX_VALUE,
                WorkerProtocol.Mode.COMPILE,
                WARM_UP.getBytes(StandardCharsets.UTF_8))); // loads LLVM and its target before the first request
        responses.write(WorkerProtocol.READY);
        responses.flush();
        WorkerProtocol.Request request;
        while ((request = WorkerProtocol.Request.read(requests)) != null) {
            compile(compilers, request).write(responses);
        }
    }

    private static WorkerProtocol.Response compile(Map<List<Long>, IrCompiler> compilers,
                                                   WorkerProtocol.Request request) {
        IrCompiler compiler = compilers.computeIfAbsent(List.of((long) request.threads(), request.splitBlocks()),
                settings -> new IrCompiler(Optional.empty(), request.threads(), request.splitBlocks()));
        LoadTimings timings = new LoadTimings();
        try {
            // Trusted here: this process is the one that takes the risk.
            CompileRequest trusted = new CompileRequest(request.level(), request.optimizeIr(),
                    request.allowInlineAssembly(), false, false, java.time.Duration.ofDays(1));
            CompiledModule compiled = switch (request.mode()) {
                case CHECK -> compiler.check(request.sourceName(), request.content(), trusted, timings);
                case COMPILE -> compiler.compile(request.sourceName(), request.content(), trusted, timings);
                case LINK -> TrialLinkStage.inWorker(linker(), request.sourceName(), request.content());
            };
            return WorkerProtocol.Response.compiled(ObjectCache.encode(compiled), timings.parseNanos,
                    timings.optimizeNanos, timings.codegenNanos);
        } catch (MalformedModuleException e) {
            return failed(e, e.sourceName(), new MalformedModuleException(e.sourceName(), "").getMessage());
        } catch (PolicyViolationException e) {
            return failed(e, e.sourceName(), new PolicyViolationException(e.sourceName(), "").getMessage());
        } catch (UnsupportedModuleException e) {
            return failed(e, e.sourceName(), new UnsupportedModuleException(e.sourceName(), "").getMessage());
        } catch (JitException e) {
            return failed(e, request.sourceName(), "");
        } catch (IOException | RuntimeException | StackOverflowError | OutOfMemoryError e) {
            return WorkerProtocol.Response.failed("CompilationException", request.sourceName(),
                    "Compiling plugin '" + request.sourceName() + "' failed in the compile worker: " + e);
        }
    }

    /** The exception's class and parts; prefix is what its class adds to the detail. */
    private static WorkerProtocol.Response failed(JitException e, String sourceName, String prefix) {
        String message = e.getMessage();
        String detail = message.startsWith(prefix) ? message.substring(prefix.length()) : message;
        return WorkerProtocol.Response.failed(e.getClass().getSimpleName(), sourceName, detail);
    }
}
