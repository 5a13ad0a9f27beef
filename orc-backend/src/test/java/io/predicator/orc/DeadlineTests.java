package io.predicator.orc;

import io.predicator.AlreadyClosedException;
import io.predicator.JitContext;
import io.predicator.LoadOptions;
import io.predicator.ModuleSource;
import io.predicator.Plugin;
import io.predicator.PluginFaultException;
import io.predicator.fixtures.ChildJvm;
import io.predicator.fixtures.FixtureCompiler;
import io.predicator.spi.SymbolResolver;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntUnaryOperator;

/**
 * No plugin call can hang a thread for ever: a call past its timeout throws {@code TIMEOUT}, an interrupted caller's
 * call throws {@code INTERRUPTED} and keeps the interrupt, and a close stops the calls still running after its
 * drain. Each runaway is a real loop (a {@code while (!flag)} spin, a loop calling a host function, a vectorised
 * loop, a recursion without loops), loaded as bitcode and as an object (and as an archive member under a timeout).
 * Every scenario runs in a child JVM, since a stop that went wrong could end this one; the child checks what it
 * sees and prints {@code OK <scenario>}.
 */
class DeadlineTests {
    /** Four calls that never return on their own; each takes an int so that nothing folds at compile time. */
    static final String RUNAWAYS = """
            @flag = global i32 0
            @cells = global [256 x i32] zeroinitializer, align 64
            declare i32 @host_tick(i32)

            define i32 @spin(i32 %x) {
            entry:
              br label %loop
            loop:
              %f = load volatile i32, ptr @flag
              %done = icmp ne i32 %f, 0
              br i1 %done, label %out, label %loop
            out:
              ret i32 %x
            }
            define i32 @call_host(i32 %x) {
            entry:
              br label %loop
            loop:
              %i = phi i32 [ %x, %entry ], [ %next, %loop ]
              %r = call i32 @host_tick(i32 %i)
              %next = add i32 %i, 1
              %stop = icmp eq i32 %r, -1
              br i1 %stop, label %out, label %loop
            out:
              ret i32 %next
            }
            define i32 @vector(i32 %x) {
            entry:
              br label %outer
            outer:
              br label %inner
            inner:
              %i = phi i64 [ 0, %outer ], [ %next, %inner ]
              %p = getelementptr inbounds [256 x i32], ptr @cells, i64 0, i64 %i
              %v = load i32, ptr %p, align 4
              %m = mul i32 %v, 3
              %a = add i32 %m, %x
              store i32 %a, ptr %p, align 4
              %next = add nuw nsw i64 %i, 1
              %end = icmp eq i64 %next, 256
              br i1 %end, label %again, label %inner
            again:
              %f = load volatile i32, ptr @flag
              %done = icmp ne i32 %f, 0
              br i1 %done, label %out, label %outer
            out:
              ret i32 %x
            }
            define i32 @fib(i32 %n) {
            entry:
              %small = icmp slt i32 %n, 2
              br i1 %small, label %leaf, label %split
            leaf:
              %f = load volatile i32, ptr @flag
              %r = add i32 %n, %f
              ret i32 %r
            split:
              %n1 = sub i32 %n, 1
              %n2 = sub i32 %n, 2
              %a = call i32 @fib(i32 %n1)
              %b = call i32 @fib(i32 %n2)
              %s = add i32 %a, %b
              ret i32 %s
            }
            define i32 @twice(i32 %x) {
              %v = mul i32 %x, 2
              ret i32 %v
            }
            """;

    /**
     * Calls through import gates: every kind of argument (integer and vector registers, the stack, a variadic
     * call's vector count), and a call that waits in a host function past its deadline, during which every gate
     * of the process takes its slow path.
     */
    static final String GATED = """
            @flag = global i32 0
            @pattern = private constant [8 x i8] c"%d %.1f\\00"
            @text = global [64 x i8] zeroinitializer
            declare double @host_mix(i32, i32, i32, i32, i32, i32, double, double, double, double, double, double,
                                     double, double, i64, i64)
            declare i32 @snprintf(ptr, i64, ptr, ...)
            declare void @host_sleep()

            define double @mix(i32 %x) {
              %d = sitofp i32 %x to double
              %r = call double @host_mix(i32 %x, i32 2, i32 3, i32 4, i32 5, i32 6, double %d, double 0.5,
                                         double 1.5, double 2.5, double 3.5, double 4.5, double 5.5, double 6.5,
                                         i64 7, i64 8)
              ret double %r
            }
            define i32 @format(i32 %x) {
              %d = sitofp i32 %x to double
              %h = fmul double %d, 0.5
              %n = call i32 (ptr, i64, ptr, ...) @snprintf(ptr @text, i64 64, ptr @pattern, i32 %x, double %h)
              ret i32 %n
            }
            define i32 @sleeper(i32 %x) {
            entry:
              call void @host_sleep()
              br label %loop
            loop:
              %f = load volatile i32, ptr @flag
              %done = icmp ne i32 %f, 0
              br i1 %done, label %out, label %loop
            out:
              ret i32 %x
            }
            """;

    /** The runaways; {@code fib} gets 60, which takes hours, the others 1. */
    private static final List<String> FUNCTIONS = List.of("spin", "call_host", "vector", "fib");

    @Test
    void aCallPastItsTimeoutThrowsTimeoutInEveryFormatAndTheContextKeepsWorking() throws Exception {
        runChild("timeout");
    }

    @Test
    void interruptingTheCallingThreadStopsTheCallAndKeepsTheInterrupt() throws Exception {
        runChild("interrupt");
    }

    @Test
    void futureCancelAndShutdownNowStopCallsOnPlatformAndVirtualThreads() throws Exception {
        runChild("cancel");
    }

    @Test
    void closingStopsTheCallsStillRunningAfterTheDrain() throws Exception {
        runChild("close");
    }

    @Test
    void importGatesPassEveryArgumentThroughWhileCallsAreDueToStop() throws Exception {
        runChild("gates");
    }

    @Test
    void callsAreStoppedInPiecesCompiledOnFirstUseAndInObjectsWithMoreThan65280Sections() throws Exception {
        runChild("sections");
    }

    @Test
    void aCallThatReturnsInTimeIsNotStoppedAndADefaultTimeoutComesFromTheContext() throws Exception {
        runChild("defaults");
    }

    private static void runChild(String scenario) throws Exception {
        ChildJvm.runScenario(Child.class, scenario);
    }

    /** The child JVM: runs one scenario, throws (exit status 1) on any unexpected outcome. */
    static final class Child {
        private static final AtomicLong TICKS = new AtomicLong();
        private static final Arena ARENA = Arena.global();

        private Child() {
        }

        public static void main(String[] arguments) throws Throwable {
            switch (arguments[0]) {
                case "timeout" -> timeout();
                case "interrupt" -> interrupt();
                case "cancel" -> cancel();
                case "close" -> close();
                case "defaults" -> defaults();
                case "gates" -> gates();
                case "sections" -> sections();
                default -> throw new IllegalArgumentException(arguments[0]);
            }
            System.out.println("OK " + arguments[0]);
        }

        /** Each runaway, as bitcode, as an object and as an archive member, under a 50 ms timeout. */
        private static void timeout() throws Exception {
            try (JitContext jit = context(Optional.empty())) {
                for (ModuleSource source : withArchive(sources())) {
                    for (String function : FUNCTIONS) {
                        Plugin plugin = jit.load(source, LoadOptions.builder().callTimeout(Duration.ofMillis(50))
                                .name(source.name() + "-" + function).build());
                        IntUnaryOperator call = plugin.function(function, IntUnaryOperator.class);
                        long start = System.nanoTime();
                        PluginFaultException fault = expectStop(() -> call.applyAsInt(argument(function)),
                                PluginFaultException.Kind.TIMEOUT, "ran past its timeout of 50 ms");
                        long tookMillis = (System.nanoTime() - start) / 1_000_000;
                        check(tookMillis >= 50, function + " stopped early, after " + tookMillis + " ms");
                        check(plugin.isClosed() && plugin.fault().orElseThrow() == fault, "the plugin closed itself");
                        expectClosed(call);
                        stillWorks(jit, source);
                        System.out.println(source.format() + " " + function + ": stopped after " + tookMillis
                                + " ms: " + fault.getMessage());
                    }
                }
                check(jit.stats().faults() == 3L * FUNCTIONS.size(), "every stop counted: " + jit.stats());
            }
        }

        /** Each runaway, as bitcode and as an object, on a thread that another thread interrupts. */
        private static void interrupt() throws Exception {
            try (JitContext jit = context(Optional.empty())) {
                for (ModuleSource source : sources()) {
                    for (String function : FUNCTIONS) {
                        Plugin plugin = jit.load(source, LoadOptions.builder().name(source.name() + "-" + function)
                                .build());
                        IntUnaryOperator call = plugin.function(function, IntUnaryOperator.class);
                        AtomicReference<Throwable> outcome = new AtomicReference<>();
                        AtomicReference<Boolean> stillInterrupted = new AtomicReference<>();
                        Thread caller = Thread.ofPlatform().start(() -> {
                            try {
                                call.applyAsInt(argument(function));
                            } catch (Throwable e) {
                                outcome.set(e);
                            }
                            stillInterrupted.set(Thread.currentThread().isInterrupted());
                        });
                        Thread.sleep(30);
                        caller.interrupt();
                        caller.join(TimeUnit.SECONDS.toMillis(30));
                        check(!caller.isAlive(), function + ": the interrupted call did not stop");
                        PluginFaultException fault = stopped(outcome.get(), PluginFaultException.Kind.INTERRUPTED,
                                "the calling thread was interrupted");
                        check(stillInterrupted.get(), function + ": the thread's interrupt status was cleared");
                        check(plugin.isClosed(), "the plugin closed itself");
                        stillWorks(jit, source);
                        System.out.println(source.format() + " " + function + ": " + fault.getMessage());
                    }
                }
            }
        }

        /** Java's own cancellation: {@code Future.cancel(true)} and {@code shutdownNow()}, on both kinds of thread. */
        private static void cancel() throws Exception {
            try (JitContext jit = context(Optional.empty())) {
                ModuleSource source = ModuleSource.ir("runaways", RUNAWAYS);
                for (boolean virtual : new boolean[] {false, true}) {
                    ExecutorService executor = virtual ? Executors.newVirtualThreadPerTaskExecutor()
                            : Executors.newFixedThreadPool(2);
                    Plugin plugin = jit.load(source, LoadOptions.builder().name("cancel-" + virtual).build());
                    IntUnaryOperator spin = plugin.function("spin", IntUnaryOperator.class);
                    CompletableFuture<Throwable> seen = new CompletableFuture<>();
                    Future<Integer> future = executor.submit(() -> {
                        try {
                            return spin.applyAsInt(1);
                        } catch (Throwable e) {
                            seen.complete(e);
                            throw e;
                        }
                    });
                    Thread.sleep(30);
                    future.cancel(true);
                    stopped(seen.get(30, TimeUnit.SECONDS), PluginFaultException.Kind.INTERRUPTED, "interrupted");
                    try {
                        future.get();
                        throw new AssertionError("a cancelled future returned");
                    } catch (CancellationException expected) {
                        // what cancel(true) promises
                    }

                    Plugin second = jit.load(source, LoadOptions.builder().name("shutdown-" + virtual).build());
                    IntUnaryOperator vector = second.function("vector", IntUnaryOperator.class);
                    List<Future<Integer>> calls = new ArrayList<>();
                    for (int i = 0; i < 2; i++) {
                        calls.add(executor.submit(() -> vector.applyAsInt(3)));
                    }
                    Thread.sleep(30);
                    executor.shutdownNow();
                    check(executor.awaitTermination(30, TimeUnit.SECONDS), "shutdownNow stopped the calls");
                    for (Future<Integer> call : calls) {
                        try {
                            call.get();
                            throw new AssertionError("a call survived shutdownNow");
                        } catch (ExecutionException e) {
                            stopped(e.getCause(), PluginFaultException.Kind.INTERRUPTED, "interrupted");
                        }
                    }
                    stillWorks(jit, source);
                    System.out.println((virtual ? "virtual" : "platform") + " threads: cancel and shutdownNow stopped");
                }
            }
        }

        /** A close lets calls run during its drain, then stops them; a context close drains all its plugins once. */
        private static void close() throws Exception {
            try (JitContext jit = context(Optional.empty())) {
                for (ModuleSource source : sources()) {
                    Plugin plugin = jit.load(source, LoadOptions.builder().name(source.name() + "-close").build());
                    List<CompletableFuture<Throwable>> outcomes = runAway(plugin, List.of("spin", "fib", "call_host"));
                    Thread.sleep(30);
                    long start = System.nanoTime();
                    plugin.close(Duration.ofMillis(100));
                    long tookMillis = (System.nanoTime() - start) / 1_000_000;
                    check(tookMillis >= 100, "the close did not wait for its drain: " + tookMillis + " ms");
                    check(plugin.isClosed(), "closed");
                    for (CompletableFuture<Throwable> outcome : outcomes) {
                        stopped(outcome.get(30, TimeUnit.SECONDS), PluginFaultException.Kind.INTERRUPTED,
                                "the plugin was closed");
                    }
                    stillWorks(jit, source);
                    System.out.println(source.format() + ": close(100 ms) stopped 3 calls and returned after "
                            + tookMillis + " ms");
                }
            }
            JitContext jit = context(Optional.empty());
            ModuleSource source = ModuleSource.ir("runaways", RUNAWAYS);
            List<CompletableFuture<Throwable>> outcomes = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Plugin plugin = jit.load(source, LoadOptions.builder().name("busy-" + i).build());
                outcomes.addAll(runAway(plugin, List.of("spin")));
            }
            Thread.sleep(30);
            long start = System.nanoTime();
            jit.close(Duration.ofMillis(200));
            long tookMillis = (System.nanoTime() - start) / 1_000_000;
            for (CompletableFuture<Throwable> outcome : outcomes) {
                stopped(outcome.get(30, TimeUnit.SECONDS), PluginFaultException.Kind.INTERRUPTED, "closed");
            }
            check(jit.isClosed() && jit.plugins().isEmpty(), "the context closed every plugin");
            // Three plugins share one 200 ms drain: closing them one after the other with a drain each takes 600.
            check(tookMillis < 600, "the context's close added up its plugins' drains: " + tookMillis + " ms");
            System.out.println("context close(200 ms) of 3 busy plugins took " + tookMillis + " ms");
        }

        /**
         * A call that returns within its timeout is left alone; a context-wide timeout applies to loads without one,
         * and the flight recorder's {@code PluginFault} event reports the stop with the call's duration.
         */
        private static void defaults() throws Exception {
            java.nio.file.Path file = java.nio.file.Files.createTempFile("deadlines", ".jfr");
            try (jdk.jfr.Recording recording = new jdk.jfr.Recording();
                 JitContext jit = context(Optional.of(Duration.ofMillis(40)))) {
                recording.enable("io.predicator.PluginFault").withoutThreshold();
                recording.start();
                ModuleSource source = ModuleSource.ir("runaways", RUNAWAYS);
                Plugin quick = jit.load(source, LoadOptions.builder().name("quick")
                        .callTimeout(Duration.ofSeconds(30)).build());
                IntUnaryOperator twice = quick.function("twice", IntUnaryOperator.class);
                IntUnaryOperator host = quick.function("call_host", IntUnaryOperator.class);
                long sum = 0;
                for (int i = 0; i < 2_000_000; i++) {
                    sum += twice.applyAsInt(i);
                }
                check(sum == 2_000_000L * 1_999_999L, "the calls ran: " + sum);
                TICKS.set(-1_000); // the host function returns -1 after 1,000 calls: a call that returns in time
                check(host.applyAsInt(0) == 1_000, "a host-calling loop that ends returned its count");
                Thread.sleep(100); // several ticks pass with no call in progress: nothing is stopped later
                check(twice.applyAsInt(4) == 8 && !quick.isClosed(), "calls that returned in time were not stopped");

                Plugin inherits = jit.load(source, LoadOptions.builder().name("inherits").build());
                expectStop(() -> inherits.function("spin", IntUnaryOperator.class).applyAsInt(1),
                        PluginFaultException.Kind.TIMEOUT, "ran past its timeout of 40 ms");
                check(!quick.isClosed(), "a stop closes only its own plugin");
                recording.stop();
                recording.dump(file);
            }
            List<jdk.jfr.consumer.RecordedEvent> faults = jdk.jfr.consumer.RecordingFile.readAllEvents(file).stream()
                    .filter(event -> event.getEventType().getName().equals("io.predicator.PluginFault")).toList();
            java.nio.file.Files.delete(file);
            check(faults.size() == 1, "one PluginFault event: " + faults);
            jdk.jfr.consumer.RecordedEvent fault = faults.getFirst();
            check(fault.getString("plugin").equals("inherits") && fault.getString("function").equals("spin")
                    && fault.getString("kind").equals("TIMEOUT"), "the event names the stop: " + fault);
            check(fault.getDuration("callDuration").toMillis() >= 40, "the event has the call's duration: " + fault);
        }

        /**
         * While one thread's call waits in a host function past its deadline (so that it cannot be stopped yet, and
         * every gate checks its own thread's call), calls through gates on this thread get every argument intact
         * and are not stopped; the waiting call stops once it is back in plugin code.
         */
        private static void gates() throws Exception {
            MemorySegment snprintf = Linker.nativeLinker().defaultLookup().find("snprintf").orElseThrow();
            MemorySegment mix = upcall("hostMix", MethodType.methodType(double.class, int.class, int.class, int.class,
                    int.class, int.class, int.class, double.class, double.class, double.class, double.class,
                    double.class, double.class, double.class, double.class, long.class, long.class),
                    FunctionDescriptor.of(ValueLayout.JAVA_DOUBLE, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                            ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                            ValueLayout.JAVA_DOUBLE, ValueLayout.JAVA_DOUBLE, ValueLayout.JAVA_DOUBLE,
                            ValueLayout.JAVA_DOUBLE, ValueLayout.JAVA_DOUBLE, ValueLayout.JAVA_DOUBLE,
                            ValueLayout.JAVA_DOUBLE, ValueLayout.JAVA_DOUBLE, ValueLayout.JAVA_LONG,
                            ValueLayout.JAVA_LONG));
            MemorySegment sleep = upcall("hostSleep", MethodType.methodType(void.class), FunctionDescriptor.ofVoid());
            java.util.Map<String, MemorySegment> host = java.util.Map.of("snprintf", snprintf, "host_mix", mix,
                    "host_sleep", sleep);
            try (JitContext jit = JitContext.builder().resolver(SymbolResolver.of("host",
                    symbol -> Optional.ofNullable(host.get(symbol)))).build()) {
                for (ModuleSource source : List.of(ModuleSource.ir("gated.ll", GATED),
                        ModuleSource.object("gated.o", FixtureCompiler.object(GATED)))) {
                    Plugin waiting = jit.load(source, LoadOptions.builder().name(source.name() + "-waiting")
                            .callTimeout(Duration.ofMillis(20)).build());
                    Plugin calling = jit.load(source, LoadOptions.builder().name(source.name() + "-calling").build());
                    java.util.function.IntToDoubleFunction mixed = calling.function("mix",
                            java.util.function.IntToDoubleFunction.class);
                    IntUnaryOperator format = calling.function("format", IntUnaryOperator.class);
                    List<CompletableFuture<Throwable>> outcome = runAway(waiting, List.of("sleeper"));
                    Thread.sleep(100); // past the 20 ms deadline, inside the 700 ms host function
                    long calls = 0;
                    long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(400);
                    while (System.nanoTime() < until) {
                        int x = (int) (calls % 1000);
                        double expected = x + 2 * 2 + 3 * 3 + 4 * 4 + 5 * 5 + 6 * 6 + 7.0 * x + 8 * 0.5 + 9 * 1.5
                                + 10 * 2.5 + 11 * 3.5 + 12 * 4.5 + 13 * 5.5 + 14 * 6.5 + 15 * 7 + 16 * 8;
                        double got = mixed.applyAsDouble(x);
                        check(got == expected, "host_mix(" + x + ") returned " + got + ", expected " + expected);
                        check(format.applyAsInt(x) == Integer.toString(x).length() + 1
                                + String.format(java.util.Locale.ROOT, "%.1f", x * 0.5).length(), "snprintf's count");
                        String text = calling.address("text").orElseThrow().getString(0);
                        check(text.equals(x + " " + String.format(java.util.Locale.ROOT, "%.1f", x * 0.5)),
                                "snprintf wrote '" + text + "' for " + x);
                        calls++;
                    }
                    check(!outcome.getFirst().isDone(), "the waiting call was stopped inside the host function");
                    stopped(outcome.getFirst().get(30, TimeUnit.SECONDS), PluginFaultException.Kind.TIMEOUT,
                            "ran past its timeout of 20 ms");
                    check(!calling.isClosed(), "the calls through gates were not stopped");
                    System.out.println(source.format() + ": " + calls + " calls through gates while a call was due "
                            + "to stop; it stopped once back in plugin code");
                    calling.close();
                }
            }
        }

        /**
         * The runtime stops calls only in code it knows of: code compiled on first use joins the plugin later, and
         * an object with more sections than ELF's 16-bit section index holds (65,280) names the later ones through
         * an extended index table; the marker of the section that spins must be found in both.
         */
        private static void sections() throws Exception {
            try (JitContext jit = context(Optional.empty())) {
                Plugin lazy = jit.load(ModuleSource.ir("lazy.ll", RUNAWAYS), LoadOptions.builder()
                        .compileOnFirstUse(true).callTimeout(Duration.ofMillis(30)).build());
                check(lazy.function("twice", IntUnaryOperator.class).applyAsInt(4) == 8, "the first piece runs");
                expectStop(() -> lazy.function("vector", IntUnaryOperator.class).applyAsInt(1),
                        PluginFaultException.Kind.TIMEOUT, "ran past its timeout of 30 ms");

                int sections = 65_400;
                StringBuilder ir = new StringBuilder(RUNAWAYS.replace("define i32 @spin(", "define i32 @spin_low("));
                for (int i = 0; i < sections; i++) {
                    ir.append("define i32 @f").append(i).append("(i32 %x) section \".text.f").append(i)
                            .append("\" {\n  %v = add i32 %x, ").append(i).append("\n  ret i32 %v\n}\n");
                }
                ir.append("""
                        define i32 @spin(i32 %x) section ".text.zz.last" {
                        entry:
                          br label %loop
                        loop:
                          %f = load volatile i32, ptr @flag
                          %done = icmp ne i32 %f, 0
                          br i1 %done, label %out, label %loop
                        out:
                          ret i32 %x
                        }
                        """);
                byte[] object = FixtureCompiler.object(ir.toString());
                check(java.nio.ByteBuffer.wrap(object).order(java.nio.ByteOrder.LITTLE_ENDIAN).getShort(60) == 0,
                        "the object has more sections than e_shnum holds");
                Plugin many = jit.load(ModuleSource.object("many-sections.o", object),
                        LoadOptions.builder().callTimeout(Duration.ofMillis(30)).build());
                check(many.function("f65399", IntUnaryOperator.class).applyAsInt(1) == 65_400, "a late section runs");
                expectStop(() -> many.function("spin", IntUnaryOperator.class).applyAsInt(1),
                        PluginFaultException.Kind.TIMEOUT, "in 'spin'+0x");
                System.out.println("stopped in a piece compiled on first use and in section " + (sections + 10)
                        + " or so of an object");
            }
        }

        static double hostMix(int a, int b, int c, int d, int e, int f, double d0, double d1, double d2, double d3,
                              double d4, double d5, double d6, double d7, long s1, long s2) {
            return a + 2 * b + 3 * c + 4 * d + 5 * e + 6 * f + 7 * d0 + 8 * d1 + 9 * d2 + 10 * d3 + 11 * d4 + 12 * d5
                    + 13 * d6 + 14 * d7 + 15 * s1 + 16 * s2;
        }

        static void hostSleep() {
            try {
                Thread.sleep(700);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private static MemorySegment upcall(String method, MethodType type, FunctionDescriptor descriptor)
                throws ReflectiveOperationException {
            return Linker.nativeLinker().upcallStub(MethodHandles.lookup().findStatic(Child.class, method, type),
                    descriptor, ARENA);
        }

        /** Starts calls that never return on their own, each on its own thread; each future gets what it threw. */
        private static List<CompletableFuture<Throwable>> runAway(Plugin plugin, List<String> functions) {
            List<CompletableFuture<Throwable>> outcomes = new ArrayList<>();
            for (String function : functions) {
                IntUnaryOperator call = plugin.function(function, IntUnaryOperator.class);
                CompletableFuture<Throwable> outcome = new CompletableFuture<>();
                Thread.ofPlatform().daemon().start(() -> {
                    try {
                        call.applyAsInt(argument(function));
                        outcome.complete(null);
                    } catch (Throwable e) {
                        outcome.complete(e);
                    }
                });
                outcomes.add(outcome);
            }
            return outcomes;
        }

        private static int argument(String function) {
            return function.equals("fib") ? 60 : 1;
        }

        /** The runaways as bitcode and as an object; the host function resolves from this JVM. */
        private static List<ModuleSource> sources() {
            return List.of(ModuleSource.bitcode("runaways.bc", FixtureCompiler.bitcode(RUNAWAYS)),
                    ModuleSource.object("runaways.o", FixtureCompiler.object(RUNAWAYS)));
        }

        /** The sources and an archive whose one member is the runaways' object. */
        private static List<ModuleSource> withArchive(List<ModuleSource> sources) {
            List<ModuleSource> all = new ArrayList<>(sources);
            all.add(ModuleSource.archive("runaways.a", FixtureCompiler.archive(true,
                    new io.predicator.fixtures.ArchiveMember("runaways.o", FixtureCompiler.object(RUNAWAYS)))));
            return all;
        }

        private static JitContext context(Optional<Duration> callTimeout) throws ReflectiveOperationException {
            MemorySegment hostTick = upcall("hostTick", MethodType.methodType(int.class, int.class),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
            JitContext.Builder builder = JitContext.builder().resolver(SymbolResolver.of("host",
                    symbol -> symbol.equals("host_tick") ? Optional.of(hostTick) : Optional.empty()));
            callTimeout.ifPresent(builder::callTimeout);
            return builder.build();
        }

        /** The host function of {@code call_host}: counts, and returns -1 once the count reaches 0 from below. */
        static int hostTick(int value) {
            return TICKS.incrementAndGet() == 0 ? -1 : value;
        }

        private static PluginFaultException expectStop(Runnable call, PluginFaultException.Kind kind, String detail) {
            Throwable thrown = null;
            try {
                call.run();
            } catch (Throwable e) {
                thrown = e;
            }
            return stopped(thrown, kind, detail);
        }

        private static PluginFaultException stopped(Throwable thrown, PluginFaultException.Kind kind, String detail) {
            if (!(thrown instanceof PluginFaultException fault)) {
                throw new AssertionError("expected a PluginFaultException of kind " + kind + ", got " + thrown, thrown);
            }
            check(fault.kind() == kind, "kind " + fault.kind() + ", expected " + kind + ": " + fault.getMessage());
            check(fault.getMessage().contains("was stopped in function '"), "message says stopped: " + fault.getMessage());
            check(fault.getMessage().contains(detail), "message has '" + detail + "': " + fault.getMessage());
            return fault;
        }

        private static void expectClosed(IntUnaryOperator call) {
            try {
                call.applyAsInt(1);
                throw new AssertionError("a call after the stop ran");
            } catch (AlreadyClosedException expected) {
                check(expected.getCause() instanceof PluginFaultException, "the later call's cause is the stop");
            }
        }

        /** The context still loads and calls after a stop. */
        private static void stillWorks(JitContext jit, ModuleSource source) {
            try (Plugin other = jit.load(source, LoadOptions.builder().name("after-" + System.nanoTime()).build())) {
                check(other.function("twice", IntUnaryOperator.class).applyAsInt(21) == 42, "the context keeps working");
            }
        }

        private static void check(boolean condition, String message) {
            if (!condition) {
                throw new AssertionError(message);
            }
        }
    }
}
