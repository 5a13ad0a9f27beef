package io.predicator.resolver.statics.internal;

import io.predicator.Signature;
import io.predicator.plumbing.FunctionalInterfaces;
import io.predicator.plumbing.HostExceptions;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.InaccessibleObjectException;
import java.lang.reflect.Method;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * A Java method exposed to plugins as a native function, wrapped so that nothing it throws can unwind into native
 * code.
 *
 * <p>An exception that leaves an FFM upcall terminates the JVM. The wrapper therefore catches every
 * {@link Throwable} the method throws, hands it to {@link HostExceptions#capture(Throwable)} so that the backend
 * rethrows it to the Java caller of the plugin function, and returns the failure value to the plugin. A returned
 * {@link MemorySegment} that the upcall could not pass back to native code (null, a heap segment for a pointer, too
 * small for a structure) is turned into such a captured exception too.
 *
 * @since 0.1
 */
public final class HostFunction implements TableEntry {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle CAPTURE;
    private static final MethodHandle CHECK_RETURNED;

    static {
        MethodHandles.Lookup lookup = MethodHandles.lookup();
        try {
            CAPTURE = lookup.findStatic(HostFunction.class, "capture", MethodType.methodType(void.class, Throwable.class));
            CHECK_RETURNED = lookup.findStatic(HostFunction.class, "checkReturned", MethodType.methodType(
                    MemorySegment.class, String.class, MemoryLayout.class, MemorySegment.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final String name;
    private final MethodHandle target;
    private final FunctionDescriptor descriptor;
    private final Object failureValue;

    private HostFunction(String name, MethodHandle target, FunctionDescriptor descriptor, Object failureValue) {
        this.name = name;
        this.target = target;
        this.descriptor = descriptor;
        this.failureValue = failureValue;
    }

    /**
     * Describes a host function given as a method handle whose type must be exactly the descriptor's.
     *
     * @param name the symbol name plugins call
     * @param target the Java code
     * @param descriptor the function's C signature
     * @param failureValue what the plugin sees when the target throws; empty for the default (zero, false, NULL)
     * @return the host function, not yet linked
     * @throws IllegalArgumentException if the types disagree or the failure value does not fit the return type
     */
    public static HostFunction of(String name, MethodHandle target, FunctionDescriptor descriptor,
                                  Optional<Object> failureValue) {
        requireNonNull(name, "name is null");
        requireNonNull(target, "target is null");
        requireNonNull(descriptor, "descriptor is null");
        requireNonNull(failureValue, "failureValue is null");
        MethodType expected = descriptor.toMethodType();
        if (!target.type().equals(expected)) {
            throw new IllegalArgumentException("host function '" + name + "': the target's type " + target.type()
                    + " does not match the descriptor " + Signature.of(descriptor) + ", which needs " + expected
                    + "; adapt the handle with asType or fix the descriptor");
        }
        return new HostFunction(name, target, descriptor, checkedFailureValue(name, descriptor, failureValue));
    }

    /**
     * Describes a host function given as an implementation of a functional interface, whose single abstract method
     * gives the C signature ({@code char} maps to an unsigned 16-bit value).
     *
     * @param name the symbol name plugins call
     * @param functionalInterface the interface
     * @param implementation the Java code
     * @param failureValue what the plugin sees when the implementation throws; empty for the default
     * @param <T> the interface type
     * @return the host function, not yet linked
     * @throws IllegalArgumentException if the interface is not functional, uses types with no C equivalent or cannot
     *         be accessed, or the failure value does not fit the return type
     */
    public static <T> HostFunction of(String name, Class<T> functionalInterface, T implementation,
                                      Optional<Object> failureValue) {
        requireNonNull(name, "name is null");
        requireNonNull(functionalInterface, "functionalInterface is null");
        requireNonNull(implementation, "implementation is null");
        Method method = Signature.singleAbstractMethod(functionalInterface);
        FunctionDescriptor descriptor = FunctionalInterfaces.descriptor(functionalInterface);
        if (!functionalInterface.isInstance(implementation)) {
            throw new IllegalArgumentException("host function '" + name + "': " + implementation.getClass().getName()
                    + " does not implement " + functionalInterface.getName());
        }
        MethodHandle target = unreflect(name, functionalInterface, method).bindTo(implementation);
        return of(name, target, descriptor, failureValue);
    }

    @Override
    public String kind() {
        return "host function";
    }

    /**
     * Creates the upcall stub that plugins call, owned by the arena.
     *
     * @param libraries gives the arena that owns the stub
     * @return the stub's address
     */
    @Override
    public MemorySegment link(Libraries libraries) {
        try {
            return LINKER.upcallStub(contained(), descriptor, libraries.arena());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("host function '" + name + "': " + e.getMessage(), e);
        }
    }

    /**
     * Returns the descriptor the stub is created with.
     *
     * @return the function's C signature
     */
    public FunctionDescriptor descriptor() {
        return descriptor;
    }

    @Override
    public String toString() {
        return "host function " + name + " " + Signature.of(descriptor);
    }

    /** The target, wrapped so that it always returns normally. */
    private MethodHandle contained() {
        Class<?> returnType = target.type().returnType();
        MethodHandle guarded = target;
        if (returnType == MemorySegment.class) {
            MemoryLayout layout = descriptor.returnLayout().orElseThrow();
            guarded = MethodHandles.filterReturnValue(target, MethodHandles.insertArguments(CHECK_RETURNED, 0, name, layout));
        }
        // The handler takes the exception and none of the arguments: catchException accepts a prefix.
        MethodHandle failure = returnType == void.class
                ? MethodHandles.empty(MethodType.methodType(void.class, Throwable.class))
                : MethodHandles.dropArguments(MethodHandles.constant(returnType, failureValue), 0, Throwable.class);
        MethodHandle handler = MethodHandles.foldArguments(failure, CAPTURE);
        MethodHandle contained = MethodHandles.catchException(guarded, Throwable.class, handler);
        // Last resort: should recording the exception itself fail (say, out of memory), still return normally.
        return MethodHandles.catchException(contained, Throwable.class, failure);
    }

    private static void capture(Throwable thrown) {
        HostExceptions.capture(thrown);
    }

    private static MemorySegment checkReturned(String name, MemoryLayout layout, MemorySegment returned) {
        if (returned == null) {
            throw new NullPointerException("host function '" + name + "' returned null; return MemorySegment.NULL "
                    + "for a null pointer");
        }
        if (layout instanceof AddressLayout && !returned.isNative()) {
            throw new IllegalArgumentException("host function '" + name + "' returned a heap segment as a pointer; "
                    + "native code can only see native memory");
        }
        if (!(layout instanceof AddressLayout) && returned.byteSize() < layout.byteSize()) {
            throw new IllegalArgumentException("host function '" + name + "' returned a segment of "
                    + returned.byteSize() + " bytes for a " + layout.byteSize() + "-byte " + layout);
        }
        return returned;
    }

    private static Object checkedFailureValue(String name, FunctionDescriptor descriptor, Optional<Object> given) {
        Optional<MemoryLayout> returnLayout = descriptor.returnLayout();
        if (returnLayout.isEmpty()) {
            if (given.isPresent()) {
                throw new IllegalArgumentException("host function '" + name + "' returns void, so it has no failure "
                        + "value; got " + given.get());
            }
            return null;
        }
        MemoryLayout layout = returnLayout.get();
        Class<?> carrier = layout instanceof ValueLayout value ? value.carrier() : MemorySegment.class;
        if (given.isEmpty()) {
            return defaultFailureValue(carrier, layout);
        }
        Object value = given.get();
        if (!MethodType.methodType(carrier).wrap().returnType().isInstance(value)) {
            throw new IllegalArgumentException("host function '" + name + "' returns " + Signature.of(descriptor).returnType()
                    + ", so its failure value must be a " + carrier.getName() + "; got " + value.getClass().getName()
                    + " " + value + (carrier == long.class && value instanceof Integer ? " (write " + value + "L)" : ""));
        }
        if (value instanceof MemorySegment segment) {
            checkReturned(name, layout, segment);
        }
        return value;
    }

    private static Object defaultFailureValue(Class<?> carrier, MemoryLayout layout) {
        if (carrier == boolean.class) {
            return false;
        } else if (carrier == byte.class) {
            return (byte) 0;
        } else if (carrier == short.class) {
            return (short) 0;
        } else if (carrier == char.class) {
            return (char) 0;
        } else if (carrier == int.class) {
            return 0;
        } else if (carrier == long.class) {
            return 0L;
        } else if (carrier == float.class) {
            return 0.0f;
        } else if (carrier == double.class) {
            return 0.0;
        } else if (layout instanceof AddressLayout) {
            return MemorySegment.NULL;
        }
        // A structure returned by value: all bits zero. A heap segment suffices, the upcall copies it.
        return MemorySegment.ofArray(new long[(int) ((layout.byteSize() + 7) / 8)]).asSlice(0, layout.byteSize());
    }

    private static MethodHandle unreflect(String name, Class<?> functionalInterface, Method method) {
        try {
            return MethodHandles.publicLookup().unreflect(method);
        } catch (IllegalAccessException notPublic) {
            // A non-public interface: its method is reachable once made accessible, if its package is open to us.
            try {
                method.setAccessible(true);
                return MethodHandles.lookup().unreflect(method);
            } catch (InaccessibleObjectException | IllegalAccessException e) {
                IllegalArgumentException failure = new IllegalArgumentException("host function '" + name + "': cannot "
                        + "call " + functionalInterface.getName() + " from io.predicator.resolver.statics; make the "
                        + "interface public, or open its package, or pass a MethodHandle instead");
                failure.addSuppressed(notPublic);
                failure.initCause(e);
                throw failure;
            }
        }
    }
}
