package io.predicator.cli;

import io.predicator.fixtures.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code run} reports a plugin fault as one line and exits with its own status; each run is a child JVM. */
class RunFaultsTests {
    @TempDir
    Path directory;

    @Test
    void aCrashPrintsOneLineAndExitsWithTheFaultStatusNotTheSignal() throws Exception {
        Path plugin = Files.writeString(directory.resolve("crash.ll"), """
                define i32 @crash(i32 %x) {
                  %p = inttoptr i32 %x to ptr
                  %v = load volatile i32, ptr %p
                  ret i32 %v
                }
                """);

        ChildJvm.Result run = ChildJvm.run(Main.class, "run", plugin.toString(), "crash", "0");

        assertThat(run.crashed()).as(run.output()).isFalse();
        assertThat(run.exitCode()).as(run.output()).isEqualTo(ErrorReporter.FAULT_STATUS);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).matches("predicator: Plugin 'crash.ll' faulted in function 'crash': SEGMENTATION_FAULT "
                + "\\(signal 11\\) at address 0x0, in 'crash'\\+0x[0-9a-f]+\n");
    }

    @Test
    void anExitOfThePluginIsAFaultToo() throws Exception {
        Path plugin = Files.writeString(directory.resolve("quits.ll"), """
                declare void @exit(i32)
                define i32 @quits(i32 %status) {
                  call void @exit(i32 %status)
                  unreachable
                }
                """);

        ChildJvm.Result run = ChildJvm.run(Main.class, "run", plugin.toString(), "quits", "7");

        assertThat(run.exitCode()).as(run.output()).isEqualTo(ErrorReporter.FAULT_STATUS);
        assertThat(run.err()).isEqualTo("predicator: Plugin 'quits.ll' faulted in function 'quits': exit() was called "
                + "with status 7 (EXIT)\n");
    }
}
