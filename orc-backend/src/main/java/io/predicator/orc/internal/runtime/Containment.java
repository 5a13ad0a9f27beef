package io.predicator.orc.internal.runtime;

import io.predicator.ConfigurationException;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Fault containment for the whole process: the plugin runtime, loaded and installed once, on the first load of any
 * JIT context, and kept until the process ends.
 *
 * <p>Installing it loads {@code predicator_runtime.c} (built into bitcode with the backend) into the
 * {@link RuntimeJit}, finds the JVM's own code ({@link JvmCode}) and installs the signal handler, which saves the
 * JVM's handlers and passes them every signal that is not a plugin's. From then on, every call through a
 * {@link #trampoline trampoline} is contained, and plugins link the {@link #servedSymbols() served} process exits and fortified memory functions.
 */
public final class Containment {
    private static final String RUNTIME = "predicator_runtime.bc";
    private static volatile Containment instance;

    private final Trampolines trampolines;
    private final Map<String, Long> served;
    private final MethodHandle newReport;
    private final MethodHandle freeReport;
    private final CodeRanges codeRanges;
    private final ImportGates importGates;
    private final Watchdog watchdog;

    private Containment(RuntimeJit jit, Map<String, Long> served) {
        this.trampolines = new Trampolines(jit, ThreadSlot.of(jit));
        this.served = Map.copyOf(served);
        this.newReport = RuntimeJit.downcall(jit, "predicator_report_new", FunctionDescriptor.of(ValueLayout.JAVA_LONG));
        this.freeReport = RuntimeJit.downcall(jit, "predicator_report_free",
                FunctionDescriptor.ofVoid(ValueLayout.JAVA_LONG));
        this.codeRanges = new CodeRanges(jit);
        this.importGates = new ImportGates(jit);
        this.watchdog = new Watchdog(jit);
    }

    /**
     * Returns the process's containment, installing it on first use.
     *
     * @return the installed runtime
     * @throws ConfigurationException if it cannot be installed on this JVM or platform
     */
    public static Containment get() {
        Containment containment = instance;
        if (containment == null) {
            synchronized (Containment.class) {
                containment = instance;
                if (containment == null) {
                    containment = install();
                    instance = containment;
                }
            }
        }
        return containment;
    }

    /**
     * Returns the trampoline through which a function of this C signature is called contained.
     *
     * @param descriptor the function's signature
     * @return the trampoline's address; it takes a {@link FaultReport}'s address and the function's address first
     */
    public long trampoline(FunctionDescriptor descriptor) {
        return trampolines.address(descriptor);
    }

    /**
     * Returns where plugins register their code, the only code in which the runtime stops a call.
     *
     * @return the process's code ranges
     */
    public CodeRanges codeRanges() {
        return codeRanges;
    }

    /**
     * Returns the gates through which plugins call the functions they import, so that such calls can be stopped.
     *
     * @return the process's import gates
     */
    public ImportGates importGates() {
        return importGates;
    }

    /**
     * Returns the process's watchdog, which stops calls past their deadline and calls of interrupted threads.
     *
     * @return the watchdog
     */
    public Watchdog watchdog() {
        return watchdog;
    }

    /** Allocates a zeroed {@code struct report} in the runtime's memory. */
    long newReport() {
        long address = RuntimeJit.call("predicator_report_new", () -> (long) newReport.invokeExact());
        if (address == 0) {
            throw new OutOfMemoryError("no native memory for a plugin call's fault report");
        }
        return address;
    }

    /** Frees a report allocated by {@link #newReport()} that no Java thread uses any more. */
    void freeReport(long address) {
        RuntimeJit.call("predicator_report_free", () -> {
            freeReport.invokeExact(address);
            return null;
        });
    }

    /**
     * Returns the C library symbols served by the runtime in every plugin, and their addresses.
     *
     * @return symbol to address
     */
    public Map<String, Long> servedSymbols() {
        return served;
    }

    private static Containment install() {
        RuntimeJit jit = new RuntimeJit();
        jit.add(RUNTIME, runtimeBitcode());
        List<JvmCode.Range> ranges = JvmCode.ranges();
        int status;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment pairs = arena.allocate(ValueLayout.JAVA_LONG, 2L * ranges.size());
            for (int i = 0; i < ranges.size(); i++) {
                pairs.setAtIndex(ValueLayout.JAVA_LONG, 2L * i, ranges.get(i).start());
                pairs.setAtIndex(ValueLayout.JAVA_LONG, 2L * i + 1, ranges.get(i).end());
            }
            MethodHandle installer = RuntimeJit.downcall(jit, "predicator_install",
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
            status = (int) installer.invokeExact(pairs, ranges.size());
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new ConfigurationException("Cannot install the plugin runtime's signal handler: " + e);
        }
        if (status != 0) {
            throw new ConfigurationException("Cannot install the plugin runtime's signal handler (step " + -status
                    + " failed)");
        }
        Map<String, Long> served = new HashMap<>();
        ProcessExits.SERVED.forEach((symbol, runtime) -> served.put(symbol, jit.lookup(runtime)));
        FortifiedFunctions.SERVED.forEach((symbol, runtime) -> served.put(symbol, jit.lookup(runtime)));
        return new Containment(jit, served);
    }

    private static byte[] runtimeBitcode() {
        try (InputStream in = Containment.class.getResourceAsStream(RUNTIME)) {
            if (in == null) {
                throw new ConfigurationException("The plugin runtime " + RUNTIME + " is missing from the backend's "
                        + "jar; rebuild the backend");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new ConfigurationException("Cannot read the plugin runtime " + RUNTIME + ": " + e);
        }
    }
}
