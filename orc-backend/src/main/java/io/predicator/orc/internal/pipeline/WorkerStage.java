package io.predicator.orc.internal.pipeline;

import io.predicator.CompilationException;
import io.predicator.ConfigurationException;
import io.predicator.MalformedModuleException;
import io.predicator.PolicyViolationException;
import io.predicator.UnsupportedModuleException;
import io.predicator.orc.internal.worker.CompileWorkers;
import io.predicator.orc.internal.worker.MemoryLimit;
import io.predicator.orc.internal.worker.WorkerFailure;
import io.predicator.orc.internal.worker.WorkerProtocol;

import java.io.IOException;

/**
 * The compile stage for untrusted IR and bitcode: parse, check, optimise and emit run in a compile worker
 * ({@link CompileWorkers}, {@link CompileWorkerMain}), and only the compiled module (objects, exports, imports,
 * signatures) comes back, which the link unit stage then validates like any object. The worker's exceptions are
 * thrown here as they would be in-process; a worker that died becomes {@link MalformedModuleException} (it crashed
 * or ran out of memory on the input) or {@link CompilationException} (LLVM's fatal error, whose text the message
 * gives, or the compile timeout). The JVM never hands the input to LLVM.
 */
final class WorkerStage {
    private final int threads;
    private final long splitBlocks;

    /** A stage whose worker compiles as an in-process compiler with these settings would. */
    WorkerStage(int threads, long splitBlocks) {
        this.threads = threads;
        this.splitBlocks = splitBlocks;
    }

    /** Starts a worker in the background, so that the first untrusted load finds it warm. */
    static void warmUp() {
        CompileWorkers.shared().warmUp();
    }

    /** Compiles the module in a worker: the objects and the module's facts. */
    CompiledModule apply(String sourceName, byte[] content, CompileRequest request, LoadTimings timings) {
        return send(sourceName, content, request, WorkerProtocol.Mode.COMPILE, timings);
    }

    /**
     * Parses, verifies and checks the module in a worker, without generating code, so that this JVM may parse it
     * (for compilation on first use) knowing that LLVM's reader survives it and the checks pass.
     */
    void check(String sourceName, byte[] content, CompileRequest request, LoadTimings timings) {
        send(sourceName, content, request, WorkerProtocol.Mode.CHECK, timings);
    }

    /** Links objects in a worker and unlinks them, so that this JVM links them knowing that JITLink survives them. */
    void link(String sourceName, byte[] objects, CompileRequest request) {
        send(sourceName, objects, request, WorkerProtocol.Mode.LINK, new LoadTimings());
    }

    private CompiledModule send(String sourceName, byte[] content, CompileRequest request, WorkerProtocol.Mode mode,
                                LoadTimings timings) {
        WorkerProtocol.Request sent = new WorkerProtocol.Request(sourceName, request.level(), request.optimizeIr(),
                request.allowInlineAssembly(), threads, splitBlocks, mode, content);
        WorkerProtocol.Response response;
        try {
            response = CompileWorkers.shared().compile(sent, request.compileTimeout());
        } catch (WorkerFailure failure) {
            throw switch (failure.reason()) {
                case TIMED_OUT -> new CompilationException("Compiling plugin '" + sourceName + "' was stopped: "
                        + failure.getMessage() + ". Raise LoadOptions.builder().compileTimeout or "
                        + "JitContext.builder().compileTimeout if the module is that large");
                case CANNOT_START -> new ConfigurationException(failure.getMessage()
                        + "; untrusted input is compiled in a worker process. Load input you trust with "
                        + "LoadOptions.builder().trustInput(true) to compile it in this process");
                case DIED -> died(sourceName, failure);
            };
        }
        if (response.failure() != null) {
            throw rebuilt(response);
        }
        timings.parseNanos += response.parseNanos();
        timings.optimizeNanos += response.optimizeNanos();
        timings.codegenNanos += response.codegenNanos();
        try {
            return ObjectCache.decode(response.compiled());
        } catch (IOException | RuntimeException e) {
            throw new CompilationException("The compile worker's answer for plugin '" + sourceName
                    + "' is damaged: " + e.getMessage());
        }
    }

    /**
     * A worker that ended on the input: LLVM's fatal error is a compilation failure, unless it ran out of memory,
     * which, like a crash, says the input is malformed (or hostile).
     */
    private static RuntimeException died(String sourceName, WorkerFailure failure) {
        String fatal = failure.fatalError();
        if (fatal != null && !fatal.contains("out of memory") && !fatal.contains("Allocation failed")) {
            return new CompilationException("LLVM cannot compile plugin '" + sourceName + "': " + fatal
                    + " (in a compile worker, which ended; this JVM is unaffected)");
        }
        return new MalformedModuleException(sourceName, (fatal != null ? "LLVM ran out of memory on it (a compile "
                + "worker may use " + (MemoryLimit.BYTES >> 30) + " GiB): "
                : "LLVM crashed on it: ") + failure.getMessage() + "; this JVM never read it");
    }

    /** The exception the worker's stages threw, as they would have thrown it here. */
    private static RuntimeException rebuilt(WorkerProtocol.Response response) {
        return switch (response.failure()) {
            case "MalformedModuleException" -> new MalformedModuleException(response.sourceName(), response.detail());
            case "PolicyViolationException" -> new PolicyViolationException(response.sourceName(), response.detail());
            case "UnsupportedModuleException" -> new UnsupportedModuleException(response.sourceName(),
                    response.detail());
            case "ConfigurationException" -> new ConfigurationException(response.detail());
            default -> new CompilationException(response.detail());
        };
    }
}
