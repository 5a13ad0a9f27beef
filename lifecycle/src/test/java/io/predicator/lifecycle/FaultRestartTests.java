package io.predicator.lifecycle;

import io.predicator.JitContext;
import io.predicator.JitException;
import io.predicator.ModuleSource;
import io.predicator.PluginFaultException;
import io.predicator.fixtures.ChildJvm;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntUnaryOperator;


/**
 * A slot or a directory replaces a version that faulted by loading its source again, within its
 * {@link RestartPolicy}, then stops and reports. Faults run in a child JVM (a containment failure would end this
 * one), which checks what it sees and prints {@code OK <scenario>}.
 */
class FaultRestartTests {
    /** {@code i32 check(i32 x)}: {@code 2 * x}, or a NULL read when {@code x} is negative. */
    static final String FAULTY = """
            define i32 @check(i32 %x) {
            entry:
              %negative = icmp slt i32 %x, 0
              br i1 %negative, label %crash, label %fine
            crash:
              %v = load volatile i32, ptr null
              ret i32 %v
            fine:
              %r = mul i32 %x, 2
              ret i32 %r
            }
            """;

    @Test
    void aSlotRestartsAFaultedVersionWhileOtherCallersWaitThenStopsPastItsPolicy() throws Exception {
        runChild("slot");
    }

    @Test
    void aDirectoryRestartsAFaultedFileThenReportsItStoppedUntilARescan() throws Exception {
        runChild("directory");
    }

    private static void runChild(String scenario) throws Exception {
        ChildJvm.runScenario(Child.class, scenario);
    }

    /** The child JVM: runs one scenario, and throws (exit status 1) on any unexpected outcome. */
    static final class Child {
        private Child() {
        }

        public static void main(String... args) throws Exception {
            switch (args[0]) {
                case "slot" -> slot();
                case "directory" -> directory(Files.createTempDirectory("predicator-restarts"));
                default -> throw new IllegalArgumentException(args[0]);
            }
            System.out.println("OK " + args[0]);
        }

        private static void slot() throws Exception {
            try (JitContext jit = JitContext.builder().build();
                 PluginSlot<IntUnaryOperator> slot = PluginSlot.create(jit, "check", IntUnaryOperator.class,
                         ModuleSource.ir("faulty.ll", FAULTY), io.predicator.LoadOptions.defaults(),
                         RestartPolicy.of(2, Duration.ofMinutes(1)))) {
                IntUnaryOperator check = slot.function();
                AtomicBoolean stop = new AtomicBoolean();
                AtomicLong served = new AtomicLong();
                AtomicReference<Throwable> bystanderFailure = new AtomicReference<>();
                List<Thread> bystanders = new ArrayList<>();
                for (Thread.Builder builder : List.of(Thread.ofPlatform(), Thread.ofVirtual())) {
                    bystanders.add(builder.start(() -> {
                        try {
                            for (int i = 0; !stop.get(); i++) {
                                check(check.applyAsInt(i & 0xffff) == 2 * (i & 0xffff), "a bystander's answer");
                                served.incrementAndGet();
                            }
                        } catch (Throwable e) {
                            bystanderFailure.set(e);
                        }
                    }));
                }
                for (int fault = 1; fault <= 2; fault++) {
                    expectFault(check);
                    check(check.applyAsInt(21) == 42, "the call after fault " + fault + " runs on the restarted version");
                    check(slot.version().generation() == fault + 1, "generation after fault " + fault + ": "
                            + slot.version());
                }
                stop.set(true);
                for (Thread bystander : bystanders) {
                    bystander.join();
                }
                check(bystanderFailure.get() == null, "bystanders never failed: " + bystanderFailure.get());
                check(served.get() > 0, "the bystanders were served");

                expectFault(check); // the third fault within the minute: more than two restarts
                PluginUnavailableException stopped = expect(PluginUnavailableException.class, () -> check.applyAsInt(1));
                check(stopped.getCause() instanceof PluginFaultException, "the stop's cause is the fault: " + stopped);
                check(stopped.getMessage().contains("is stopped: it faulted 3 times within PT1M"), stopped.getMessage());

                slot.swap(ModuleSource.ir("faulty.ll", FAULTY));
                check(check.applyAsInt(5) == 10, "a swap starts the slot again");
                expectFault(check);
                check(check.applyAsInt(6) == 12, "the swap reset the count: the next fault restarts again");
            }
        }

        private static void directory(Path folder) throws Exception {
            Files.writeString(folder.resolve("faulty.ll"), FAULTY);
            List<String> events = new ArrayList<>();
            try (JitContext jit = JitContext.builder().build();
                 PluginDirectory directory = PluginDirectory.builder(jit, folder)
                         .restartPolicy(RestartPolicy.of(1, Duration.ofMinutes(1)))
                         .listener(new PluginDirectory.Listener() {
                             @Override
                             public void restarted(String file, PluginFaultException fault, SwapResult result) {
                                 synchronized (events) {
                                     events.add("restarted " + file + " " + fault.kind() + " generation "
                                             + result.current().generation());
                                 }
                             }

                             @Override
                             public void failed(String file, JitException error) {
                                 synchronized (events) {
                                     events.add("failed " + file + " " + error.getClass().getSimpleName());
                                 }
                             }
                         })
                         .build()) {
                IntUnaryOperator check = directory.function("faulty.ll", "check", IntUnaryOperator.class);
                check(check.applyAsInt(2) == 4, "the file's plugin answers");
                expectFault(check);
                check(check.applyAsInt(3) == 6, "the restarted plugin answers");
                expectFault(check);
                expect(PluginUnavailableException.class, () -> check.applyAsInt(1));
                check(directory.failures().get("faulty.ll") instanceof PluginUnavailableException,
                        "failures() reports the stop: " + directory.failures());
                // The listener hears of the stop on the restarting thread, which may still be telling it.
                List<String> expected = List.of("restarted faulty.ll SEGMENTATION_FAULT generation 2",
                        "failed faulty.ll PluginUnavailableException");
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (!snapshot(events).equals(expected) && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                check(snapshot(events).equals(expected), "events " + snapshot(events));
                directory.rescan();
                check(check.applyAsInt(4) == 8, "a rescan loads the stopped file again");
                check(directory.failures().isEmpty(), "no failure after the rescan: " + directory.failures());
            }
        }

        private static void expectFault(IntUnaryOperator check) {
            PluginFaultException fault = expect(PluginFaultException.class, () -> check.applyAsInt(-1));
            check(fault.kind() == PluginFaultException.Kind.SEGMENTATION_FAULT, "kind " + fault.kind());
        }

        private static <E extends Throwable> E expect(Class<E> type, Runnable call) {
            try {
                call.run();
            } catch (Throwable e) {
                check(type.isInstance(e), "expected " + type.getSimpleName() + ", got " + e);
                return type.cast(e);
            }
            throw new AssertionError("expected " + type.getSimpleName() + ", nothing was thrown");
        }

        private static List<String> snapshot(List<String> events) {
            synchronized (events) {
                return List.copyOf(events);
            }
        }

        private static void check(boolean condition, String what) {
            if (!condition) {
                throw new AssertionError(what);
            }
        }
    }
}
