package io.predicator.orc.internal.llvm;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.llvm.LLVM.LLVMFatalErrorHandler;
import org.bytedeco.llvm.global.LLVM;

/**
 * Routes LLVM's fatal errors ({@code report_fatal_error}) to a clear message on the JVM's log and standard error
 * before LLVM ends the process. Inputs are checked so that they do not get here.
 */
final class FatalErrors {
    private static final System.Logger LOGGER = System.getLogger("io.predicator.orc");
    private static LLVMFatalErrorHandler handler;

    private FatalErrors() {
    }

    static synchronized void install() {
        if (handler != null) {
            return;
        }
        handler = new LLVMFatalErrorHandler() {
            @Override
            public void call(BytePointer reason) {
                String text = reason == null || reason.isNull() ? "(no reason given)" : reason.getString();
                String message = "LLVM reported a fatal error and will end the process: " + text
                        + ". Please report the plugin that caused it to the Predicator developers.";
                System.err.println("predicator: " + message);
                LOGGER.log(System.Logger.Level.ERROR, message);
            }
        };
        LLVM.LLVMInstallFatalErrorHandler(handler);
    }
}
