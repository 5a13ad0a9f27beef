package io.predicator.bench;

import java.lang.classfile.ClassFile;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDescs;
import java.lang.constant.MethodTypeDesc;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * A functional interface that Predicator's class loader cannot see, as a source-launched program, an isolated
 * plugin or a web-app class loader defines its own: {@code interface foreign.IntAdder { int applyAsInt(int, int); }}
 * in a class loader of its own whose parent is the bootstrap loader.
 */
final class ForeignInterface {
    private static final String NAME = "foreign.IntAdder";
    private static final MethodType APPLY = MethodType.methodType(int.class, int.class, int.class);

    private ForeignInterface() {
    }

    /** Defines the interface in a fresh class loader. */
    static Class<?> define() {
        byte[] bytes = ClassFile.of().build(ClassDesc.of(NAME), builder -> builder
                .withFlags(ClassFile.ACC_PUBLIC | ClassFile.ACC_INTERFACE | ClassFile.ACC_ABSTRACT)
                .withSuperclass(ConstantDescs.CD_Object)
                .withMethod("applyAsInt", APPLY.describeConstable().map(MethodTypeDesc.class::cast).orElseThrow(),
                        ClassFile.ACC_PUBLIC | ClassFile.ACC_ABSTRACT, method -> { }));
        ClassLoader loader = new ClassLoader("foreign", null) {
            @Override
            protected Class<?> findClass(String name) throws ClassNotFoundException {
                if (name.equals(NAME)) {
                    return defineClass(name, bytes, 0, bytes.length);
                }
                throw new ClassNotFoundException(name);
            }
        };
        try {
            return loader.loadClass(NAME);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Returns {@code implementation.applyAsInt} bound to the implementation, as code of the foreign loader would call
     * it through the interface; in a {@code static final} field the JIT compiler sees through it.
     */
    static MethodHandle applyAsInt(Class<?> type, Object implementation) {
        try {
            return MethodHandles.publicLookup().findVirtual(type, "applyAsInt", APPLY).bindTo(implementation);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }
}
