package io.predicator.lifecycle.internal;

import io.predicator.Signature;
import io.predicator.plumbing.FunctionalInterfaces;

import java.lang.classfile.ClassFile;
import java.lang.classfile.CodeBuilder;
import java.lang.classfile.TypeKind;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDescs;
import java.lang.constant.DynamicConstantDesc;
import java.lang.constant.MethodTypeDesc;
import java.lang.foreign.FunctionDescriptor;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.util.List;

import static java.lang.constant.ConstantDescs.CD_MethodHandle;
import static java.lang.constant.ConstantDescs.CD_Object;
import static java.lang.constant.ConstantDescs.CD_String;
import static java.lang.constant.ConstantDescs.CD_void;

/**
 * Implements a functional interface on top of a dispatching method handle.
 *
 * <p>The implementation is a hidden class whose method invokes the handle as a constant (loaded from class data),
 * so the JIT compiler inlines the dispatch into the caller: a call costs what the version's own handle costs plus a
 * volatile read. It is defined beside this class, or in the interface's own package and class loader where this
 * loader cannot see the interface ({@link FunctionalInterfaces#definer}). Only an interface that no such class can
 * implement (in a named module that does not open its package to Predicator) falls back to a dynamic proxy.
 */
final class FunctionViews {
    private static final MethodTypeDesc MTD_VOID = MethodTypeDesc.of(CD_void);

    private FunctionViews() {
    }

    static Method singleAbstractMethod(Class<?> functionalInterface) {
        requireInterface(functionalInterface);
        Method method = Signature.singleAbstractMethod(functionalInterface);
        Signature.of(functionalInterface); // rejects types with no C equivalent, with a message naming them
        return method;
    }

    static FunctionDescriptor descriptor(Class<?> functionalInterface) {
        return FunctionalInterfaces.descriptor(functionalInterface);
    }

    static <T> T implement(Class<T> functionalInterface, Method method, MethodHandle dispatcher, String description) {
        MethodHandle exact = dispatcher.asType(MethodType.methodType(method.getReturnType(), method.getParameterTypes()));
        return FunctionalInterfaces.definer(functionalInterface, MethodHandles.lookup())
                .map(definer -> hidden(definer, functionalInterface, method, exact, description))
                .orElseGet(() -> FunctionalInterfaces.implement(functionalInterface, exact, description));
    }

    private static <T> T hidden(MethodHandles.Lookup definer, Class<T> type, Method method, MethodHandle dispatcher,
                                String description) {
        MethodTypeDesc signature = MethodType.methodType(method.getReturnType(), method.getParameterTypes())
                .describeConstable().orElseThrow();
        ClassDesc self = FunctionalInterfaces.classIn(definer, "FunctionView");
        byte[] bytes = ClassFile.of().build(self, builder -> builder
                .withFlags(ClassFile.ACC_FINAL | ClassFile.ACC_SUPER | ClassFile.ACC_SYNTHETIC)
                .withInterfaceSymbols(type.describeConstable().orElseThrow())
                .withMethodBody(ConstantDescs.INIT_NAME, MTD_VOID, ClassFile.ACC_PUBLIC, code -> code
                        .aload(0)
                        .invokespecial(CD_Object, ConstantDescs.INIT_NAME, MTD_VOID)
                        .return_())
                .withMethodBody(method.getName(), signature, ClassFile.ACC_PUBLIC | ClassFile.ACC_FINAL,
                        code -> invokeDispatcher(code, method, signature))
                .withMethodBody("toString", MethodTypeDesc.of(CD_String), ClassFile.ACC_PUBLIC, code -> code
                        .ldc(DynamicConstantDesc.ofNamed(ConstantDescs.BSM_CLASS_DATA_AT, "_", CD_String, 1))
                        .areturn()));
        try {
            MethodHandles.Lookup lookup = definer.defineHiddenClassWithClassData(bytes, List.of(dispatcher, description),
                    true);
            Object instance = lookup.findConstructor(lookup.lookupClass(), MethodType.methodType(void.class)).invoke();
            return type.cast(instance);
        } catch (Throwable e) {
            throw new IllegalStateException("cannot implement " + type.getName() + " for " + description, e);
        }
    }

    private static void invokeDispatcher(CodeBuilder code, Method method, MethodTypeDesc signature) {
        code.ldc(DynamicConstantDesc.ofNamed(ConstantDescs.BSM_CLASS_DATA_AT, "_", CD_MethodHandle, 0));
        int slot = 1;
        for (Class<?> parameter : method.getParameterTypes()) {
            TypeKind kind = TypeKind.from(parameter);
            code.loadLocal(kind, slot);
            slot += kind.slotSize();
        }
        code.invokevirtual(CD_MethodHandle, "invokeExact", signature);
        code.return_(TypeKind.from(method.getReturnType()));
    }

    private static void requireInterface(Class<?> type) {
        if (type == null) {
            throw new NullPointerException("functionalInterface is null");
        }
    }
}
