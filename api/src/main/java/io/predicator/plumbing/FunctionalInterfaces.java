package io.predicator.plumbing;

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
import java.util.Optional;

import static java.lang.constant.ConstantDescs.CD_MethodHandle;
import static java.lang.constant.ConstantDescs.CD_Object;
import static java.lang.constant.ConstantDescs.CD_String;
import static java.lang.constant.ConstantDescs.CD_void;
import static java.util.Objects.requireNonNull;

/**
 * Implements functional interfaces with method handles, for backends, resolvers and anyone else who hands native
 * functions to Java code as plain interfaces.
 *
 * <p>Each interface gets one generated class, made once and reused: an instance holds its handle in a final field
 * and calls it with {@code invokeExact}. Unlike {@code MethodHandleProxies}, which defines a class per instance,
 * creating instances for thousands of short-lived plugins costs no class definitions. Where this module's class
 * loader cannot see the interface, the class is defined in the interface's own package and class loader
 * ({@link #definer}), as long as the interface's module opens that package to this one, which every class-path,
 * source-launched, plugin or web-app class loader's unnamed module does; so such interfaces get the same fast path,
 * and need not even be public. Only an interface in a named module that neither opens its package to this module
 * nor exports it publicly is served by a {@link Proxy}.
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

    /**
     * Per interface, the constructor of its generated class, or empty if none can be defined. A {@code ClassValue}
     * keeps the class with the interface: an interface's class loader stays collectable.
     */
    private static final ClassValue<Optional<MethodHandle>> FACTORIES = new ClassValue<>() {
        @Override
        protected Optional<MethodHandle> computeValue(Class<?> type) {
            return definer(type, MethodHandles.lookup()).map(lookup -> factory(type, lookup));
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
        Optional<MethodHandle> factory = FACTORIES.get(functionalInterface);
        if (factory.isEmpty()) {
            return functionalInterface.cast(Proxy.newProxyInstance(functionalInterface.getClassLoader(),
                    new Class<?>[] {functionalInterface}, new Handler(method, exact, description)));
        }
        try {
            return functionalInterface.cast((Object) factory.get().invoke(exact, description));
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("cannot implement " + functionalInterface.getName(), e);
        }
    }

    /**
     * Returns whether a class defined next to {@code neighbour} (same class loader, same module) can implement the
     * interface in bytecode: the interface must be public, not hidden or sealed, exported to that module, and
     * visible by name from that loader. Where this is false, {@link #definer} may still find a place for the class
     * in the interface's own package.
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

    /**
     * Returns a full-privilege lookup in which a hidden class that implements the interface can be defined:
     * {@code own} itself if a class there can name the interface ({@link #implementable}), or else one in the
     * interface's own package and class loader, if its module opens that package to this module (an unnamed module,
     * that of every class-path, source-launched, plugin or web-app class loader, opens every package). A class
     * defined in the interface's package may reference only the interface and what its loader sees, such as
     * {@code java.base}: hand it everything else as method handles, through class data.
     *
     * @param type the interface
     * @param own a full-privilege lookup of the caller, from {@link MethodHandles#lookup()}
     * @return the lookup to define the class with, or empty if no class can implement the interface in bytecode
     */
    public static Optional<MethodHandles.Lookup> definer(Class<?> type, MethodHandles.Lookup own) {
        requireNonNull(type, "type is null");
        requireNonNull(own, "own is null");
        if (implementable(type, own.lookupClass())) {
            return Optional.of(own);
        }
        return FOREIGN_DEFINERS.get(type);
    }

    /**
     * Returns the descriptor of a class named {@code simpleName} in the package of the lookup's class.
     *
     * @param definer a lookup from {@link #definer}
     * @param simpleName the class's simple name
     * @return its descriptor, in the unnamed package if the lookup's class is
     */
    public static ClassDesc classIn(MethodHandles.Lookup definer, String simpleName) {
        String pkg = definer.lookupClass().getPackageName();
        return ClassDesc.of(pkg.isEmpty() ? simpleName : pkg + "." + simpleName);
    }

    /**
     * Per interface, a full-privilege lookup in its own package and class loader: a lookup that this module gets
     * there ({@code privateLookupIn}) may define ordinary classes but not hidden ones, so it defines one small,
     * package-private anchor class beside the interface whose only method returns its own full-privilege lookup.
     * Kept in a {@code ClassValue}, the lookup lives as long as the interface: its class loader stays collectable.
     */
    private static final ClassValue<Optional<MethodHandles.Lookup>> FOREIGN_DEFINERS = new ClassValue<>() {
        @Override
        protected Optional<MethodHandles.Lookup> computeValue(Class<?> type) {
            if (!type.isInterface() || type.isHidden() || type.isSealed() || type.isArray()) {
                return Optional.empty();
            }
            MethodHandles.Lookup own = MethodHandles.lookup();
            Module module = FunctionalInterfaces.class.getModule();
            if (!type.getModule().isOpen(type.getPackageName(), module)) {
                return Optional.empty();
            }
            try {
                module.addReads(type.getModule());
                MethodHandles.Lookup there = MethodHandles.privateLookupIn(type, own);
                Class<?> anchor = anchor(type, there);
                return Optional.of((MethodHandles.Lookup) there.findStatic(anchor, "lookup",
                        MethodType.methodType(MethodHandles.Lookup.class)).invoke());
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable refused) {
                return Optional.empty();
            }
        }
    };

    /** Defines (or finds, if another thread won) the anchor class beside an interface. */
    private static Class<?> anchor(Class<?> type, MethodHandles.Lookup there) throws IllegalAccessException {
        String name = type.getName() + "$$PredicatorLookup";
        ClassDesc lookupDesc = MethodHandles.Lookup.class.describeConstable().orElseThrow();
        byte[] bytes = ClassFile.of().build(ClassDesc.of(name), builder -> builder
                .withFlags(ClassFile.ACC_FINAL | ClassFile.ACC_SUPER | ClassFile.ACC_SYNTHETIC)
                .withMethodBody("lookup", MethodTypeDesc.of(lookupDesc), ClassFile.ACC_STATIC, code -> code
                        .invokestatic(MethodHandles.class.describeConstable().orElseThrow(), "lookup",
                                MethodTypeDesc.of(lookupDesc))
                        .areturn()));
        try {
            return there.defineClass(bytes);
        } catch (LinkageError defined) {
            try {
                return there.findClass(name);
            } catch (ClassNotFoundException e) {
                throw defined;
            }
        }
    }

    /** Defines the implementation class of an interface with the lookup and returns its constructor. */
    private static MethodHandle factory(Class<?> type, MethodHandles.Lookup definer) {
        Method method = Signature.singleAbstractMethod(type);
        MethodTypeDesc signature = MethodType.methodType(method.getReturnType(), method.getParameterTypes())
                .describeConstable().orElseThrow();
        ClassDesc self = classIn(definer, "FunctionalInterfaceImpl");
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
            MethodHandles.Lookup lookup = definer.defineHiddenClass(bytes, true);
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
