package io.predicator.cli;

import io.predicator.ExportedFunction;
import io.predicator.JitContext;
import io.predicator.ModuleFormat;
import io.predicator.ModuleSource;
import io.predicator.Plugin;
import io.predicator.Signature;
import io.predicator.UnknownSymbolException;
import io.predicator.resolver.libc.LibcProfile;
import io.predicator.resolver.libc.LibcResolver;
import io.predicator.resolver.naive.NaiveResolver;
import io.predicator.spi.SymbolResolver;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

import java.io.PrintWriter;
import java.lang.foreign.Arena;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code predicator run FILE FUNCTION [ARGS...]}: loads a plugin, calls one function and prints its result.
 */
@Command(name = "run",
        mixinStandardHelpOptions = true,
        versionProvider = PredicatorCommand.Version.class,
        description = "Loads a plugin (compiling it first if it is source), calls one of its functions with the given "
                + "arguments and prints the result.",
        footer = {"",
                "The signature comes from the module for LLVM IR and bitcode; ELF objects and archives carry no "
                        + "types, so pass --signature for them.",
                "Arguments are converted to the parameter types: i1 takes true, false, 1 or 0; i8 to i64 take "
                        + "decimal or 0x hexadecimal integers (signed or unsigned range); float and double take "
                        + "decimal numbers; ptr takes a string, passed as a NUL-terminated UTF-8 copy, or 'null' "
                        + "for NULL.",
                "The result is printed in decimal, pointers as a hexadecimal address; void prints nothing.",
                "",
                "FILE may be source: .c and .cpp files compile with the bundled clang (signatures are kept), .rs "
                        + "files and Cargo projects with cargo (objects: pass --signature).",
                "",
                "Examples:",
                "  predicator run examples/hello/add.ll add 2 3",
                "  predicator run examples/simple_plugin/sample.c sample_plugin",
                "  predicator run --signature 'i32(i32, i32)' examples/rust-nostd add 2 3"})
final class RunCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Mixin
    private JitOptions jitOptions;

    @Mixin
    private SourceOptions sourceOptions;

    @Mixin
    private LoadFlags loadFlags;

    @Option(names = "--resolver", paramLabel = "RESOLVER", defaultValue = "default", converter = ResolverConverter.class,
            description = "What the plugin may link against besides itself: default (memcpy, memmove, memset, memcmp, "
                    + "bcmp), none, libc (pure libc functions: strings, math, snprintf …), libc:full (all of libc), "
                    + "naive (every symbol of the process). The runtime's own functions (predicator_panic, and abort, "
                    + "exit and the other process exits, which end the call instead) come first, whatever it is.")
    private SymbolResolver resolver;

    @Option(names = "--source", paramLabel = "SRC",
            description = "Another source compiled and linked with FILE (C and C++); repeatable.")
    private List<Path> extraSources = new ArrayList<>();

    @Option(names = "--signature", paramLabel = "SIGNATURE", converter = SignatureConverter.class,
            description = "The function's signature in LLVM types, such as 'i32(i32, i32)' or 'i64(ptr, i8)'; "
                    + "checked against the module's for IR and bitcode.")
    private Signature signature;

    @Parameters(index = "0", paramLabel = "FILE",
            description = "The plugin: .ll, .bc, .o or .a, or a source (.c, .cpp, .rs, a Cargo project) to compile first.")
    private Path file;

    @Parameters(index = "1", paramLabel = "FUNCTION", description = "The function to call.")
    private String function;

    @Parameters(index = "2..*", paramLabel = "ARGS", description = "The function's arguments.")
    private List<String> arguments = new ArrayList<>();

    @Override
    public Integer call() {
        if (signature != null) {
            checkArity(signature);
        }
        boolean compiled = sourceOptions.isSource(file) || !extraSources.isEmpty();
        ModuleSource source = sourceOptions.read(file, extraSources, jitOptions.optimizationLevel(),
                spec.commandLine().getErr());
        try (JitContext jit = jitOptions.newContext(resolver,
                compiled ? sourceOptions.objectCache() : null);
             Plugin plugin = jit.load(source, loadFlags.loadOptions())) {
            Signature callee = signature != null ? signature : declaredSignature(plugin);
            checkArity(callee);
            MethodHandle handle = plugin.function(function, callee.toFunctionDescriptor());
            String result;
            try (Arena arena = Arena.ofConfined()) {
                List<Object> values;
                try {
                    values = Arguments.convert(function, callee, arguments, arena);
                } catch (IllegalArgumentException e) {
                    throw new ParameterException(spec.commandLine(), e.getMessage(), e);
                }
                result = Arguments.format(invoke(handle, values));
            }
            if (result != null) {
                PrintWriter out = spec.commandLine().getOut();
                out.println(result);
                out.flush();
            }
        }
        return 0;
    }

    private Signature declaredSignature(Plugin plugin) {
        List<ExportedFunction> exports = plugin.exports();
        Optional<ExportedFunction> exported = exports.stream()
                .filter(candidate -> candidate.name().equals(function))
                .findFirst();
        if (exported.isEmpty()) {
            if (plugin.address(function).isPresent()) {
                throw new CommandFailure("'" + function + "' of plugin '" + plugin.name()
                        + "' is data, not a function");
            }
            throw new UnknownSymbolException(plugin.name(), function,
                    exports.stream().map(ExportedFunction::name).toList());
        }
        Signature declared = exported.get().signature().orElseThrow(() -> new ParameterException(
                spec.commandLine(), "the signature of '" + function + "' is unknown because "
                + (plugin.format() == ModuleFormat.ARCHIVE ? "archives" : "ELF objects")
                + " carry no types: pass it with --signature, e.g. --signature 'i32(i32, i32)'"));
        if (!declared.isCallable()) {
            throw new CommandFailure("'" + function + "' of plugin '" + plugin.name() + "' is declared as "
                    + declared + ", which Java cannot call: only void, i1, i8, i16, i32, i64, float, double and "
                    + "ptr without varargs can");
        }
        return declared;
    }

    private void checkArity(Signature callee) {
        if (callee.parameterTypes().size() != arguments.size()) {
            throw new ParameterException(spec.commandLine(),
                    Arguments.arityMessage(function, callee, arguments.size()));
        }
    }

    private Object invoke(MethodHandle handle, List<Object> values) {
        try {
            return handle.invokeWithArguments(values);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new CommandFailure("calling '" + function + "' failed: " + e, e);
        }
    }

    /** Reads {@code --resolver}. */
    static final class ResolverConverter implements ITypeConverter<SymbolResolver> {
        @Override
        public SymbolResolver convert(String value) {
            return switch (value.strip()) {
                case "default" -> SymbolResolver.compilerSupport();
                case "none" -> SymbolResolver.none();
                case "libc" -> LibcResolver.of(LibcProfile.PURE);
                case "libc:full" -> LibcResolver.of(LibcProfile.FULL);
                case "naive" -> NaiveResolver.instance();
                default -> throw new TypeConversionException("'" + value + "' is not a resolver: use default, none, "
                        + "libc, libc:full or naive");
            };
        }
    }

    /** Parses {@code --signature} and checks that Java can call it. */
    static final class SignatureConverter implements ITypeConverter<Signature> {
        @Override
        public Signature convert(String value) {
            Signature parsed;
            try {
                parsed = Signature.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
            if (!parsed.isCallable()) {
                throw new TypeConversionException("Java cannot call " + parsed + ": use only void, i1, i8, i16, "
                        + "i32, i64, float, double and ptr, without varargs");
            }
            return parsed;
        }
    }
}
