package io.predicator.orc.internal;

import io.predicator.Signature;
import io.predicator.UnsupportedModuleException;
import io.predicator.orc.internal.runtime.Containment;
import io.predicator.plumbing.FunctionalInterfaces;

import java.lang.classfile.ClassBuilder;
import java.lang.classfile.ClassFile;
import java.lang.classfile.CodeBuilder;
import java.lang.classfile.Label;
import java.lang.classfile.TypeKind;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDescs;
import java.lang.constant.DynamicConstantDesc;
import java.lang.constant.MethodTypeDesc;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.GroupLayout;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import static java.lang.constant.ConstantDescs.CD_MethodHandle;
import static java.lang.constant.ConstantDescs.CD_Object;
import static java.lang.constant.ConstantDescs.CD_String;
import static java.lang.constant.ConstantDescs.CD_Throwable;
import static java.lang.constant.ConstantDescs.CD_void;

/**
 * Generates the code of guarded plugin calls: one small class per C signature (and per functional interface),
 * shared by every plugin, whose static method enters the plugin's call frame, makes the downcall and leaves it.
 *
 * <p>The guard is straight-line bytecode around a downcall handle that the class holds as a constant, so the JIT
 * compiler inlines all of it into the caller: no method-handle combinators, no per-plugin classes. A plugin's
 * function is that method with the plugin, its address and its name bound ({@link #handle}), or an instance of the
 * interface's class holding the three in final fields ({@link #implement}). The interface's class calls the static
 * method through a constant method handle (its class data), so it names no class of this module: it can be defined
 * in the interface's own package and class loader when this module's loader cannot see the interface
 * ({@link FunctionalInterfaces#definer}), and such interfaces get the same inlined guard.
 *
 * <p>The downcall goes through the signature's trampoline in the plugin runtime, which contains faults: when the
 * plugin's code faults, the call returns zero and the thread's fault report, which {@code exit} reads, says why.
 * The generated method is, for {@code int add(int, int)}:
 * <pre>{@code
 * static int call(OrcPlugin plugin, MemorySegment target, String symbol, int a, int b) {
 *     CallFrames frames = plugin.enter();
 *     int result;
 *     try {
 *         result = (int) TRAMPOLINE.invokeExact(frames.reportAddress(), target.address(), a, b);
 *     } catch (Throwable failure) {
 *         plugin.exit(symbol, failure, frames);
 *         throw failure;
 *     }
 *     plugin.exit(symbol, null, frames);
 *     return result;
 * }
 * }</pre>
 */
final class GuardedCalls {
    /**
     * The most argument slots a plugin function's arguments may take, as the linker passes them: a {@code long},
     * {@code double} or pointer takes two, another scalar one, and a structure two per eight bytes (one for a last
     * part of four bytes or fewer). The linker's native call, a method type and so limited by the JVM to 255 slots,
     * passes them after seven slots of its own: the trampoline's address (a {@code long}), the fault report's and the
     * function's addresses (the two {@code long}s the trampoline takes first) and the linker's entry point.
     */
    static final int MAX_ARGUMENT_SLOTS = 255 - 7;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final String CALL = "call";
    private static final ClassDesc CD_PLUGIN = OrcPlugin.class.describeConstable().orElseThrow();
    private static final ClassDesc CD_FRAMES = CallFrames.class.describeConstable().orElseThrow();
    private static final ClassDesc CD_SEGMENT = MemorySegment.class.describeConstable().orElseThrow();
    private static final MethodTypeDesc ENTER = MethodTypeDesc.of(CD_FRAMES);
    private static final MethodTypeDesc LONG_GETTER = MethodTypeDesc.of(ConstantDescs.CD_long);
    private static final MethodTypeDesc EXIT = MethodTypeDesc.of(CD_void, CD_String, CD_Throwable, CD_FRAMES);
    private static final MethodTypeDesc CONSTRUCTOR = MethodTypeDesc.of(CD_void, CD_Object, CD_SEGMENT, CD_String, CD_String);

    /** Per C signature (not per Java type: two layouts of one Java type may pass differently), the static call. */
    private static final Map<FunctionDescriptor, MethodHandle> CALLS = new ConcurrentHashMap<>();
    /** Per interface, the constructor of its generated class, or empty if no class here can implement it. */
    private static final ClassValue<Optional<MethodHandle>> CONSTRUCTORS = new ClassValue<>() {
        @Override
        protected Optional<MethodHandle> computeValue(Class<?> type) {
            return FunctionalInterfaces.definer(type, MethodHandles.lookup()).map(definer -> constructor(type, definer));
        }
    };

    private GuardedCalls() {
    }

    /**
     * Returns a handle that calls the plugin's function at {@code target} under the unload guard.
     *
     * @param descriptor the C signature
     */
    static MethodHandle handle(OrcPlugin plugin, MemorySegment target, String symbol, FunctionDescriptor descriptor) {
        checkArguments(plugin, symbol, descriptor);
        return MethodHandles.insertArguments(call(descriptor), 0, plugin, target, symbol);
    }

    /**
     * Returns an implementation of the functional interface that calls the plugin's function under the unload
     * guard, inlined into the interface method.
     */
    static <T> T implement(Class<T> functionalInterface, OrcPlugin plugin, MemorySegment target, String symbol,
                           String description) {
        checkArguments(plugin, symbol, FunctionalInterfaces.descriptor(functionalInterface));
        Optional<MethodHandle> constructor = CONSTRUCTORS.get(functionalInterface);
        if (constructor.isEmpty()) {
            MethodHandle handle = handle(plugin, target, symbol, FunctionalInterfaces.descriptor(functionalInterface));
            return FunctionalInterfaces.implement(functionalInterface, handle, description);
        }
        try {
            return functionalInterface.cast(constructor.get().invoke(plugin, target, symbol, description));
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("cannot implement " + functionalInterface.getName(), e);
        }
    }

    /**
     * Refuses a function that contained calls cannot make: one that returns a structure by value (the trampolines
     * return scalars only), or whose arguments need more slots than a call from Java can pass
     * ({@link #MAX_ARGUMENT_SLOTS}), before the JVM would refuse to make the call's method handles.
     *
     * @throws UnsupportedModuleException naming the function and what it needs
     */
    private static void checkArguments(OrcPlugin plugin, String symbol, FunctionDescriptor descriptor) {
        if (descriptor.returnLayout().orElse(null) instanceof GroupLayout returned) {
            throw new UnsupportedModuleException(plugin.name(), "function '" + symbol + "' returns a structure by "
                    + "value (" + returned + "), which a contained call cannot return; return it through a pointer "
                    + "argument instead");
        }
        List<MemoryLayout> arguments = descriptor.argumentLayouts();
        int slots = 0;
        for (MemoryLayout argument : arguments) {
            slots += slots(argument);
        }
        if (slots > MAX_ARGUMENT_SLOTS) {
            throw new UnsupportedModuleException(plugin.name(), "function '" + symbol + "' takes " + arguments.size()
                    + " parameters, which need " + slots + " argument slots, more than the " + MAX_ARGUMENT_SLOTS
                    + " a call from Java can pass (long, double and pointer parameters take two, a structure two per "
                    + "eight bytes); pass the parameters through a pointer to a structure instead");
        }
    }

    /** The slots the linker passes an argument in: the scalars it is split into, two for a long or a double. */
    private static int slots(MemoryLayout argument) {
        if (!(argument instanceof GroupLayout)) {
            return argument.byteSize() > 4 ? 2 : 1; // a pointer is passed as a long
        }
        long size = argument.byteSize();
        return (int) (size / 8 * 2 + (size % 8 == 0 ? 0 : size % 8 > 4 ? 2 : 1));
    }

    /** The static guarded call of a C signature: {@code (OrcPlugin, MemorySegment, String, arguments...)}. */
    private static MethodHandle call(FunctionDescriptor descriptor) {
        return CALLS.computeIfAbsent(descriptor, key -> findCall(define(descriptor), descriptor.toMethodType()));
    }

    /**
     * Defines the interface's class with the lookup and returns its constructor
     * {@code (Object plugin, MemorySegment target, String symbol, String description)}; its class data is the
     * static guarded call, taking the plugin as an {@code Object}.
     */
    private static MethodHandle constructor(Class<?> functionalInterface, MethodHandles.Lookup definer) {
        FunctionDescriptor descriptor = FunctionalInterfaces.descriptor(functionalInterface);
        MethodType erased = callType(descriptor.toMethodType()).changeParameterType(0, Object.class);
        MethodHandle call = call(descriptor).asType(erased);
        ClassDesc self = FunctionalInterfaces.classIn(definer, "GuardedFunction");
        byte[] bytes = ClassFile.of().build(self, builder -> implementInterface(builder
                .withFlags(ClassFile.ACC_FINAL | ClassFile.ACC_SUPER | ClassFile.ACC_SYNTHETIC), self,
                functionalInterface, erased.describeConstable().orElseThrow()));
        try {
            MethodHandles.Lookup lookup = definer.defineHiddenClassWithClassData(bytes, call, true);
            return lookup.findConstructor(lookup.lookupClass(), MethodType.methodType(void.class,
                    Object.class, MemorySegment.class, String.class, String.class));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot implement " + functionalInterface.getName(), e);
        }
    }

    private static MethodHandle findCall(MethodHandles.Lookup lookup, MethodType type) {
        try {
            return lookup.findStatic(lookup.lookupClass(), CALL, callType(type));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot generate the guarded call for " + type, e);
        }
    }

    private static MethodType callType(MethodType type) {
        return type.insertParameterTypes(0, OrcPlugin.class, MemorySegment.class, String.class);
    }

    /**
     * Defines the class of a signature's static guarded call; its class data is the downcall handle of the
     * signature's trampoline ({@link Containment#trampoline}), which takes the thread's fault report and the
     * function's address before the function's arguments, loaded as a constant.
     */
    private static MethodHandles.Lookup define(FunctionDescriptor descriptor) {
        MethodType type = descriptor.toMethodType();
        MethodTypeDesc call = callType(type).describeConstable().orElseThrow();
        ClassDesc self = ClassDesc.of(GuardedCalls.class.getPackageName() + ".GuardedCall");
        byte[] bytes = ClassFile.of().build(self, builder -> builder
                .withFlags(ClassFile.ACC_FINAL | ClassFile.ACC_SUPER | ClassFile.ACC_SYNTHETIC)
                .withMethodBody(CALL, call, ClassFile.ACC_STATIC, code -> guardedCall(code, type)));
        try {
            MemorySegment trampoline = MemorySegment.ofAddress(Containment.get().trampoline(descriptor));
            FunctionDescriptor contained = descriptor.insertArgumentLayouts(0, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG);
            return MethodHandles.lookup().defineHiddenClassWithClassData(bytes,
                    LINKER.downcallHandle(trampoline, contained), true);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("cannot generate the guarded call for " + descriptor, e);
        }
    }

    private static void guardedCall(CodeBuilder code, MethodType type) {
        int frames = code.allocateLocal(TypeKind.REFERENCE);
        TypeKind returns = TypeKind.from(type.returnType());
        int result = returns == TypeKind.VOID ? -1 : code.allocateLocal(returns);
        Label start = code.newLabel();
        Label end = code.newLabel();
        Label handler = code.newLabel();
        code.aload(0).invokevirtual(CD_PLUGIN, "enter", ENTER).astore(frames);
        code.labelBinding(start);
        code.ldc(DynamicConstantDesc.ofNamed(ConstantDescs.BSM_CLASS_DATA, ConstantDescs.DEFAULT_NAME, CD_MethodHandle));
        code.aload(frames).invokevirtual(CD_FRAMES, "reportAddress", LONG_GETTER);
        code.aload(1).invokeinterface(CD_SEGMENT, "address", LONG_GETTER);
        loadArguments(code, type.parameterList(), 3);
        code.invokevirtual(CD_MethodHandle, "invokeExact",
                type.insertParameterTypes(0, long.class, long.class).describeConstable().orElseThrow());
        if (result >= 0) {
            code.storeLocal(returns, result);
        }
        code.labelBinding(end);
        code.aload(0).aload(2).aconst_null().aload(frames).invokevirtual(CD_PLUGIN, "exit", EXIT);
        if (result >= 0) {
            code.loadLocal(returns, result);
        }
        code.return_(returns);
        code.labelBinding(handler);
        int failure = code.allocateLocal(TypeKind.REFERENCE);
        code.astore(failure);
        code.aload(0).aload(2).aload(failure).aload(frames).invokevirtual(CD_PLUGIN, "exit", EXIT);
        code.aload(failure).athrow();
        code.exceptionCatchAll(start, end, handler);
    }

    private static void implementInterface(ClassBuilder builder, ClassDesc self,
                                           Class<?> functionalInterface, MethodTypeDesc call) {
        Method method = Signature.singleAbstractMethod(functionalInterface);
        MethodTypeDesc signature = MethodType.methodType(method.getReturnType(), method.getParameterTypes())
                .describeConstable().orElseThrow();
        int fields = ClassFile.ACC_PRIVATE | ClassFile.ACC_FINAL;
        builder.withInterfaceSymbols(functionalInterface.describeConstable().orElseThrow())
                .withField("plugin", CD_Object, fields)
                .withField("target", CD_SEGMENT, fields)
                .withField("symbol", CD_String, fields)
                .withField("description", CD_String, fields)
                .withMethodBody(ConstantDescs.INIT_NAME, CONSTRUCTOR, ClassFile.ACC_PUBLIC, code -> code
                        .aload(0)
                        .invokespecial(CD_Object, ConstantDescs.INIT_NAME, MethodTypeDesc.of(CD_void))
                        .aload(0).aload(1).putfield(self, "plugin", CD_Object)
                        .aload(0).aload(2).putfield(self, "target", CD_SEGMENT)
                        .aload(0).aload(3).putfield(self, "symbol", CD_String)
                        .aload(0).aload(4).putfield(self, "description", CD_String)
                        .return_())
                .withMethodBody(method.getName(), signature, ClassFile.ACC_PUBLIC | ClassFile.ACC_FINAL, code -> {
                    code.ldc(DynamicConstantDesc.ofNamed(ConstantDescs.BSM_CLASS_DATA, ConstantDescs.DEFAULT_NAME,
                                    CD_MethodHandle))
                            .aload(0).getfield(self, "plugin", CD_Object)
                            .aload(0).getfield(self, "target", CD_SEGMENT)
                            .aload(0).getfield(self, "symbol", CD_String);
                    loadArguments(code, List.of(method.getParameterTypes()), 1);
                    code.invokevirtual(CD_MethodHandle, "invokeExact", call);
                    code.return_(TypeKind.from(method.getReturnType()));
                })
                .withMethodBody("toString", MethodTypeDesc.of(CD_String), ClassFile.ACC_PUBLIC, code -> code
                        .aload(0).getfield(self, "description", CD_String).areturn());
    }

    private static void loadArguments(CodeBuilder code, List<Class<?>> parameters, int firstSlot) {
        int slot = firstSlot;
        for (Class<?> parameter : parameters) {
            TypeKind kind = TypeKind.from(parameter);
            code.loadLocal(kind, slot);
            slot += kind.slotSize();
        }
    }
}
