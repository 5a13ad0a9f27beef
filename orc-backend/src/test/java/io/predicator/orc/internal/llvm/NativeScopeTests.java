package io.predicator.orc.internal.llvm;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.llvm.LLVM.LLVMContextRef;
import org.bytedeco.llvm.LLVM.LLVMMemoryBufferRef;
import org.bytedeco.llvm.global.LLVM;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The owner of LLVM handles: reverse order, once each, every release attempted, failures suppressed. */
class NativeScopeTests {
    @Test
    void releasesInReverseOrderOfCreationAndOnlyOnce() {
        List<String> released = new ArrayList<>();
        NativeScope scope = new NativeScope();
        scope.own(new BytePointer("first"), handle -> released.add(handle.getString()));
        scope.own(new BytePointer("second"), handle -> released.add(handle.getString()));
        scope.own(new BytePointer("third"), handle -> released.add(handle.getString()));

        scope.close();
        scope.close();

        assertThat(released).containsExactly("third", "second", "first");
        assertThat(scope.isClosed()).isTrue();
    }

    @Test
    void everyReleaseRunsAndLaterFailuresAreSuppressedByTheFirst() {
        List<String> released = new ArrayList<>();
        NativeScope scope = new NativeScope();
        scope.own(new BytePointer("kept"), handle -> released.add(handle.getString()));
        scope.own(new BytePointer("early"), handle -> {
            throw new IllegalStateException("early failed");
        });
        scope.own(new BytePointer("late"), handle -> {
            throw new IllegalArgumentException("late failed");
        });

        assertThatThrownBy(scope::close)
                .isInstanceOf(IllegalArgumentException.class).hasMessage("late failed")
                .satisfies(failure -> assertThat(failure.getSuppressed()).singleElement()
                        .satisfies(suppressed -> assertThat(suppressed).hasMessage("early failed")));
        assertThat(released).containsExactly("kept");
    }

    @Test
    void aHandleLlvmTookOverIsNotReleased() {
        List<String> released = new ArrayList<>();
        NativeScope scope = new NativeScope();
        BytePointer taken = scope.own(new BytePointer("taken"), handle -> released.add(handle.getString()));
        scope.own(new BytePointer("owned"), handle -> released.add(handle.getString()));

        assertThat(scope.forget(taken)).isSameAs(taken);
        scope.close();

        assertThat(released).containsExactly("owned");
        assertThatThrownBy(() -> scope.forget(taken)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aHandleCreatedAfterCloseIsReleasedAtOnce() {
        List<String> released = new ArrayList<>();
        NativeScope scope = new NativeScope();
        scope.close();

        assertThatThrownBy(() -> scope.own(new BytePointer("late"), handle -> released.add(handle.getString())))
                .isInstanceOf(IllegalStateException.class);
        assertThat(released).containsExactly("late");
    }

    @Test
    void ownsRealLlvmHandles() {
        Llvm.initialize();
        try (NativeScope scope = new NativeScope()) {
            LLVMContextRef context = scope.context();
            LLVMMemoryBufferRef buffer = scope.copy(new byte[] {1, 2, 3}, "bytes");
            assertThat(Llvm.present(context)).isTrue();
            assertThat(LLVM.LLVMGetBufferSize(buffer)).isEqualTo(3);
        }
    }
}
