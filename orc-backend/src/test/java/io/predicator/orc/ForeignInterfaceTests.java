package io.predicator.orc;

import io.predicator.AlreadyClosedException;
import io.predicator.JitContext;
import io.predicator.Plugin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.classfile.ClassFile;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDescs;
import java.lang.constant.MethodTypeDesc;
import java.lang.foreign.FunctionDescriptor;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.ref.WeakReference;
import java.lang.reflect.Proxy;
import java.util.function.Supplier;

import static io.predicator.orc.TestModules.ARITH;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Functional interfaces that the backend's class loader cannot see (a source-launched program, a plugin or web-app
 * class loader) get the same generated, guarded implementation as any other, not a reflective proxy.
 */
class ForeignInterfaceTests {

    @ParameterizedTest
    @ValueSource(strings = {"foreign.Adder", "Adder"})
    void anInterfaceFromALoaderTheBackendCannotSeeGetsTheGeneratedGuardedCall(String name) throws Throwable {
        Class<?> adder = foreignInterface(name, true);
        try (JitContext jit = JitContext.builder().build()) {
            Plugin arith = jit.load(TestModules.ir(ARITH));
            Object add = arith.function("add", adder);
            MethodHandle apply = apply(adder).bindTo(add);

            assertThat(Proxy.isProxyClass(add.getClass())).as("a proxy costs many times a downcall").isFalse();
            assertThat(add.getClass().getClassLoader()).isSameAs(adder.getClassLoader());
            assertThat((int) apply.invoke(40, 2)).isEqualTo(42);
            assertThat(add.toString()).contains("add").contains("arith");

            arith.close();
            assertThatThrownBy(() -> apply.invoke(1, 2)).isInstanceOf(AlreadyClosedException.class);
        }
    }

    @Test
    void aPackagePrivateInterfaceOfAForeignLoaderIsServedToo() throws Throwable {
        Class<?> adder = foreignInterface("foreign.Hidden", false);
        try (JitContext jit = JitContext.builder().build(); Plugin arith = jit.load(TestModules.ir(ARITH))) {
            Object add = arith.function("add", adder);
            assertThat(Proxy.isProxyClass(add.getClass())).isFalse();
            MethodHandle apply = MethodHandles.privateLookupIn(adder, MethodHandles.lookup())
                    .findVirtual(adder, "apply", MethodType.methodType(int.class, int.class, int.class));
            assertThat((int) apply.invoke(add, 5, 6)).isEqualTo(11);
        }
    }

    @Test
    void theForeignLoaderStaysCollectableAfterItsPluginCloses() throws Throwable {
        WeakReference<ClassLoader> loader;
        try (JitContext jit = JitContext.builder().build()) {
            loader = callOnceThroughAForeignInterface(jit);
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (loader.get() != null && System.nanoTime() < deadline) {
                System.gc();
                Thread.sleep(20);
            }
        }
        assertThat(loader.get()).as("the foreign class loader was collected").isNull();
    }

    /** Loads, calls through an interface of a fresh loader and closes; returns only a weak reference to the loader. */
    private static WeakReference<ClassLoader> callOnceThroughAForeignInterface(JitContext jit) throws Throwable {
        Class<?> adder = foreignInterface("foreign.Adder", true);
        try (Plugin arith = jit.load(TestModules.ir(ARITH))) {
            Object add = arith.function("add", adder);
            assertThat((int) apply(adder).invoke(add, 2, 3)).isEqualTo(5);
            arith.function("add", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT)); // the same signature's call
        }
        return new WeakReference<>(adder.getClassLoader());
    }

    private static MethodHandle apply(Class<?> adder) throws ReflectiveOperationException {
        return MethodHandles.publicLookup().findVirtual(adder, "apply",
                MethodType.methodType(int.class, int.class, int.class));
    }

    /**
     * Defines {@code interface NAME { int apply(int, int); }} in a class loader of its own whose parent is the
     * bootstrap loader: neither the backend nor the API can see it by name.
     */
    static Class<?> foreignInterface(String name, boolean isPublic) throws ClassNotFoundException {
        byte[] bytes = ClassFile.of().build(ClassDesc.of(name), builder -> builder
                .withFlags((isPublic ? ClassFile.ACC_PUBLIC : 0) | ClassFile.ACC_INTERFACE | ClassFile.ACC_ABSTRACT)
                .withSuperclass(ConstantDescs.CD_Object)
                .withMethod("apply", MethodTypeDesc.of(ConstantDescs.CD_int, ConstantDescs.CD_int, ConstantDescs.CD_int),
                        ClassFile.ACC_PUBLIC | ClassFile.ACC_ABSTRACT, method -> { }));
        Supplier<ClassLoader> loader = () -> new ClassLoader("foreign", null) {
            @Override
            protected Class<?> findClass(String requested) throws ClassNotFoundException {
                if (requested.equals(name)) {
                    return defineClass(requested, bytes, 0, bytes.length);
                }
                throw new ClassNotFoundException(requested);
            }
        };
        return loader.get().loadClass(name);
    }
}
