package io.predicator.toolchain;

import io.predicator.JitContext;
import io.predicator.LoadOptions;
import io.predicator.ModuleSource;
import io.predicator.Plugin;
import io.predicator.PluginFaultException;
import io.predicator.Signature;
import io.predicator.resolver.libc.LibcProfile;
import io.predicator.resolver.libc.LibcResolver;
import io.predicator.spi.SymbolResolver;

import java.lang.foreign.Arena;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Loads a plugin, calls one function and prints what happened: {@code returned <value>}, or the fault's kind and
 * message and whether the plugin closed. Tests run it in a child JVM, because a fault that escaped containment would
 * end the process.
 *
 * <pre>{@code
 * FaultProbe <plugin> <default|libc> <signature> <function> [<argument>...]
 * }</pre>
 * Arguments of type {@code i32} are parsed as integers; {@code ptr} arguments are passed as C strings.
 */
final class FaultProbe {
    private FaultProbe() {
    }

    public static void main(String... args) throws Throwable {
        SymbolResolver resolver = args[1].equals("libc") ? LibcResolver.of(LibcProfile.PURE)
                : SymbolResolver.compilerSupport();
        Signature signature = Signature.parse(args[2]);
        try (JitContext jit = JitContext.builder().build();
             Plugin plugin = jit.load(ModuleSource.of(Path.of(args[0])), LoadOptions.builder().resolver(resolver).build());
             Arena arena = Arena.ofConfined()) {
            MethodHandle function = plugin.function(args[3], signature.toFunctionDescriptor());
            List<Object> arguments = new ArrayList<>();
            for (int i = 4; i < args.length; i++) {
                arguments.add(signature.parameterTypes().get(i - 4).equals("ptr") ? arena.allocateFrom(args[i])
                        : (Object) Integer.parseInt(args[i]));
            }
            try {
                System.out.println("returned " + function.invokeWithArguments(arguments));
            } catch (PluginFaultException e) {
                System.out.println(e.kind() + ": " + e.getMessage().replace('\n', ' '));
                System.out.println(plugin.isClosed() && plugin.fault().orElseThrow() == e ? "closed" : "still open");
            }
        }
    }
}
