package io.predicator.spi;

import io.predicator.Signature;

import java.lang.classfile.ClassFile;
import java.lang.classfile.CodeBuilder;
import java.lang.classfile.TypeKind;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDescs;
import java.lang.constant.MethodTypeDesc;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.util.Arrays;
import java.util.Map;

import static java.lang.constant.ConstantDescs.CD_MethodHandle;
import static java.lang.constant.ConstantDescs.CD_Object;
import static java.lang.constant.ConstantDescs.CD_String;
import static java.lang.constant.ConstantDescs.CD_void;
import static java.util.Objects.requireNonNull;

/**
 * Implements functional interfaces with method handles, for backends, resolvers and anyone else who hands native
 * functions to Java code as plain interfaces.
 *
 * <p>Each public interface gets one generated class, made once and reused: an instance holds its handle in a
 * final field and calls it with {@code invokeExact}. Unlike {@code MethodHandleProxies}, which defines a class per
 * instance, creating instances for thousands of short-lived plugins costs no class definitions. Interfaces that
 * are not public are served by a {@link Proxy}.
 *
 * @since 0.1
 */
public final class FunctionalInterfaces {
    private static final Map<Class<?>, MemoryLayout> LAYOUTS = Map.of(
            boolean.class, ValueLayout.JAVA_BOOLEAN,
            byte.class, ValueLayout.JAVA_BYTE,
            short.class, ValueLayout.JAVA_SHORT,
            char.class, ValueLayout.JAVA_CHAR,
            int.class, ValueLayout.JAVA_INT,
            long.class, ValueLayout.JAVA_LONG,
            float.class, ValueLayout.JAVA_FLOAT,
            double.class, ValueLayout.JAVA_DOUBLE,
            MemorySegment.class, ValueLayout.ADDRESS);
    private static final MethodTypeDesc CONSTRUCTOR = MethodTypeDesc.of(CD_void, CD_MethodHandle, CD_String);

    private static final ClassValue<MethodHandle> FACTORIES = new ClassValue<>() {
        @Override
        protected MethodHandle computeValue(Class<?> type) {
            return factory(type);
        }
    };

    private static final ClassValue<FunctionDescriptor> DESCRIPTORS = new ClassValue<>() {
        @Override
        protected FunctionDescriptor computeValue(Class<?> type) {
            return derive(type);
        }
    };

    private FunctionalInterfaces() {
    }

    /**
     * Returns the descriptor of a downcall that implements the interface's single abstract method: each Java type
     * maps to its C layout ({@code char} to {@code JAVA_CHAR}, {@link MemorySegment} to {@code ADDRESS}).
     *
     * @param functionalInterface an interface with exactly one abstract method whose types map to C
     * @return the function descriptor
     * @throws IllegalArgumentException if it is not such an interface
     */
    public static FunctionDescriptor descriptor(Class<?> functionalInterface) {
        requireNonNull(functionalInterface, "functionalInterface is null");
        return DESCRIPTORS.get(functionalInterface);
    }

    private static FunctionDescriptor derive(Class<?> functionalInterface) {
        Method method = Signature.singleAbstractMethod(functionalInterface);
        Signature.of(functionalInterface); // rejects types with no C equivalent, naming them
        MemoryLayout[] arguments = Arrays.stream(method.getParameterTypes()).map(LAYOUTS::get).toArray(MemoryLayout[]::new);
        return method.getReturnType() == void.class
                ? FunctionDescriptor.ofVoid(arguments)
                : FunctionDescriptor.of(LAYOUTS.get(method.getReturnType()), arguments);
    }

    /**
     * Returns an implementation of a functional interface whose single abstract method calls the handle.
     *
     * @param functionalInterface the interface
     * @param target a handle convertible to the method's type
     * @param description what {@code toString()} of the implementation returns
     * @param <T> the interface type
     * @return the implementation
     */
    public static <T> T implement(Class<T> functionalInterface, MethodHandle target, String description) {
        requireNonNull(target, "target is null");
        requireNonNull(description, "description is null");
        Method method = Signature.singleAbstractMethod(functionalInterface);
        MethodHandle exact = target.asType(MethodType.methodType(method.getReturnType(), method.getParameterTypes()));
        if (!implementable(functionalInterface, FunctionalInterfaces.class)) {
            return functionalInterface.cast(Proxy.newProxyInstance(functionalInterface.getClassLoader(),
                    new Class<?>[] {functionalInterface}, new Handler(method, exact, description)));
        }
        try {
            return functionalInterface.cast((Object) FACTORIES.get(functionalInterface).invoke(exact, description));
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("cannot implement " + functionalInterface.getName(), e);
        }
    }

    /**
     * Returns whether a class defined next to {@code neighbour} (same class loader, same module) can implement the
     * interface in bytecode: the interface must be public, not hidden or sealed, exported to that module, and
     * visible by name from that loader. Where this is false, use {@link #implement}, which falls back to a proxy.
     *
     * @param type the interface
     * @param neighbour a class whose loader and module the implementation would share
     * @return whether such a class can name and implement the interface
     */
    public static boolean implementable(Class<?> type, Class<?> neighbour) {
        requireNonNull(type, "type is null");
        requireNonNull(neighbour, "neighbour is null");
        if (!type.isInterface() || !Modifier.isPublic(type.getModifiers()) || type.isHidden() || type.isSealed()) {
            return false;
        }
        Module own = neighbour.getModule();
        if (!own.canRead(type.getModule()) || !type.getModule().isExported(type.getPackageName(), own)) {
            return false;
        }
        try {
            return Class.forName(type.getName(), false, neighbour.getClassLoader()) == type;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** Defines the implementation class of a public interface and returns its constructor. */
    private static MethodHandle factory(Class<?> type) {
        Method method = Signature.singleAbstractMethod(type);
        MethodTypeDesc signature = MethodType.methodType(method.getReturnType(), method.getParameterTypes())
                .describeConstable().orElseThrow();
        ClassDesc self = ClassDesc.of(FunctionalInterfaces.class.getPackageName() + ".FunctionalInterfaceImpl");
        byte[] bytes = ClassFile.of().build(self, builder -> builder
                .withFlags(ClassFile.ACC_FINAL | ClassFile.ACC_SUPER | ClassFile.ACC_SYNTHETIC)
                .withInterfaceSymbols(type.describeConstable().orElseThrow())
                .withField("target", CD_MethodHandle, ClassFile.ACC_PRIVATE | ClassFile.ACC_FINAL)
                .withField("description", CD_String, ClassFile.ACC_PRIVATE | ClassFile.ACC_FINAL)
                .withMethodBody(ConstantDescs.INIT_NAME, CONSTRUCTOR, ClassFile.ACC_PUBLIC, code -> code
                        .aload(0)
                        .invokespecial(CD_Object, ConstantDescs.INIT_NAME, MethodTypeDesc.of(CD_void))
                        .aload(0).aload(1).putfield(self, "target", CD_MethodHandle)
                        .aload(0).aload(2).putfield(self, "description", CD_String)
                        .return_())
                .withMethodBody(method.getName(), signature, ClassFile.ACC_PUBLIC | ClassFile.ACC_FINAL,
                        code -> invokeTarget(code, self, method, signature))
                .withMethodBody("toString", MethodTypeDesc.of(CD_String), ClassFile.ACC_PUBLIC, code -> code
                        .aload(0).getfield(self, "description", CD_String).areturn()));
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup().defineHiddenClass(bytes, true);
            return lookup.findConstructor(lookup.lookupClass(),
                    MethodType.methodType(void.class, MethodHandle.class, String.class));
        } catch (IllegalAccessException | NoSuchMethodException e) {
            throw new IllegalStateException("cannot implement " + type.getName(), e);
        }
    }

    private static void invokeTarget(CodeBuilder code, ClassDesc self, Method method, MethodTypeDesc signature) {
        code.aload(0).getfield(self, "target", CD_MethodHandle);
        int slot = 1;
        for (Class<?> parameter : method.getParameterTypes()) {
            TypeKind kind = TypeKind.from(parameter);
            code.loadLocal(kind, slot);
            slot += kind.slotSize();
        }
        code.invokevirtual(CD_MethodHandle, "invokeExact", signature);
        code.return_(TypeKind.from(method.getReturnType()));
    }

    /** Calls the target for a dynamic proxy of an interface that is not public. */
    private record Handler(Method function, MethodHandle target, String description) implements InvocationHandler {
        @Override
        public Object invoke(Object proxy, Method method, Object[] arguments) throws Throwable {
            if (method.getName().equals(function.getName())
                    && Arrays.equals(method.getParameterTypes(), function.getParameterTypes())) {
                return target.invokeWithArguments(arguments == null ? new Object[0] : arguments);
            }
            return switch (method.getName()) {
                case "equals" -> proxy == arguments[0];
                case "hashCode" -> System.identityHashCode(proxy);
                case "toString" -> description;
                default -> InvocationHandler.invokeDefault(proxy, method, arguments);
            };
        }
    }
}
