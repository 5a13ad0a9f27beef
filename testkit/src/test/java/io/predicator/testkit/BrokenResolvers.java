package io.predicator.testkit;

import io.predicator.spi.SymbolResolver;
import io.predicator.spi.SymbolResolverProvider;

import java.lang.foreign.Arena;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import static io.predicator.testkit.ResolverCapability.RESOLVES_COMPILER_HELPERS;
import static io.predicator.testkit.ResolverCapability.RESOLVES_DATA;
import static io.predicator.testkit.ResolverCapability.RESOLVES_FUNCTIONS;
import static io.predicator.testkit.ResolverCapability.SERVICE_LOADER_REGISTERED;

/**
 * Contract classes for resolvers that each break the contract in one way; {@link BrokenResolverContractTests} runs
 * them through the JUnit Platform's EngineTestKit. Nested, so that the build's test run does not pick them up.
 */
final class BrokenResolvers {
    private BrokenResolvers() {
    }

    /** A resolver over {@link MinimalResolver} with one thing overridden; ids and samples as the minimal one. */
    abstract static class Base implements ResolverContract {
        final MinimalResolver good = new MinimalResolver();

        @Override
        public Set<ResolverCapability> capabilities() {
            return EnumSet.of(RESOLVES_FUNCTIONS);
        }

        @Override
        public List<SampleSymbol> samples() {
            return List.of(
                    SampleSymbol.function("strlen", "i64(ptr)").calledWith("hello").returns(5L),
                    SampleSymbol.function("sqrt", "double(double)").calledWith(2.0).returns(Math.sqrt(2.0)),
                    SampleSymbol.refused("getpid"));
        }
    }

    /** R1: the id is blank. */
    @Breaks("R1")
    static final class BlankId extends Base {
        @Override
        public SymbolResolver createResolver() {
            return new SymbolResolver() {
                @Override
                public String id() {
                    return "  ";
                }

                @Override
                public Optional<MemorySegment> resolve(String symbol) {
                    return good.resolve(symbol);
                }
            };
        }
    }

    /** R2: null is answered with empty instead of being rejected. */
    @Breaks("R2")
    static final class AcceptsNull extends Base {
        @Override
        public SymbolResolver createResolver() {
            return new SymbolResolver() {
                @Override
                public String id() {
                    return "accepts-null";
                }

                @Override
                public Optional<MemorySegment> resolve(String symbol) {
                    return symbol == null ? Optional.empty() : good.resolve(symbol);
                }
            };
        }
    }

    /** R3: names the resolver does not know make it throw. */
    @Breaks("R3")
    static final class ThrowsOnUnknownNames extends Base {
        @Override
        public SymbolResolver createResolver() {
            return new SymbolResolver() {
                @Override
                public String id() {
                    return "throws-on-unknown";
                }

                @Override
                public Optional<MemorySegment> resolve(String symbol) {
                    return Optional.of(good.resolve(symbol)
                            .orElseThrow(() -> new IllegalArgumentException("unknown symbol " + symbol)));
                }
            };
        }

        @Override
        public List<SampleSymbol> samples() {
            return super.samples().subList(0, 2);
        }
    }

    /** R4 and R9: a symbol the contract says is refused resolves. */
    @Breaks({"R4", "R9"})
    static final class LeaksARefusedSymbol extends Base {
        @Override
        public SymbolResolver createResolver() {
            return new SymbolResolver() {
                @Override
                public String id() {
                    return "leaky";
                }

                @Override
                public Optional<MemorySegment> resolve(String symbol) {
                    return symbol.equals("getpid") ? Linker.nativeLinker().defaultLookup().find(symbol)
                            : good.resolve(symbol);
                }
            };
        }
    }

    /** R5, R6 and R7: every answer for a known name is a different address. */
    @Breaks({"R5", "R6"})
    static final class Nondeterministic extends Base {
        @Override
        public SymbolResolver createResolver() {
            AtomicLong calls = new AtomicLong();
            return new SymbolResolver() {
                @Override
                public String id() {
                    return "nondeterministic";
                }

                @Override
                public Optional<MemorySegment> resolve(String symbol) {
                    String actual = symbol.equals("strlen") && calls.incrementAndGet() % 2 == 0 ? "strnlen" : symbol;
                    return good.resolve(symbol).isPresent() ? Linker.nativeLinker().defaultLookup().find(actual)
                            : Optional.empty();
                }
            };
        }
    }

    /** R7: {@code sqrt} resolves to {@code cbrt}, which links and runs but computes something else. */
    @Breaks("R7")
    static final class WrongFunction extends Base {
        @Override
        public SymbolResolver createResolver() {
            return new SymbolResolver() {
                @Override
                public String id() {
                    return "wrong-function";
                }

                @Override
                public Optional<MemorySegment> resolve(String symbol) {
                    return good.resolve(symbol.equals("sqrt") ? "cbrt" : symbol).or(() -> symbol.equals("sqrt")
                            ? Linker.nativeLinker().defaultLookup().find("cbrt") : Optional.empty());
                }
            };
        }
    }

    /** R10: declares the compiler helpers but lacks {@code __umodti3}. */
    @Breaks("R10")
    static final class MissingCompilerHelper extends Base {
        @Override
        public SymbolResolver createResolver() {
            return new SymbolResolver() {
                @Override
                public String id() {
                    return "no-umodti3";
                }

                @Override
                public Optional<MemorySegment> resolve(String symbol) {
                    return symbol.equals("__umodti3") ? Optional.empty() : good.resolve(symbol);
                }
            };
        }

        @Override
        public Set<ResolverCapability> capabilities() {
            return EnumSet.of(RESOLVES_FUNCTIONS, RESOLVES_COMPILER_HELPERS);
        }
    }

    /** R0: lists a data sample without declaring RESOLVES_DATA. */
    @Breaks("R0")
    static final class UndeclaredCapability extends Base {
        @Override
        public SymbolResolver createResolver() {
            return new MinimalResolver();
        }

        @Override
        public List<SampleSymbol> samples() {
            return List.of(
                    SampleSymbol.function("strlen", "i64(ptr)").calledWith("hello").returns(5L),
                    SampleSymbol.data(MinimalResolver.ANSWER).containing("42\0"));
        }
    }

    /** R12: declares a provider that is not registered (R13 cannot be checked then). */
    @Breaks("R12")
    static final class UnregisteredProvider extends Base {
        @Override
        public SymbolResolver createResolver() {
            return new MinimalResolver();
        }

        @Override
        public Set<ResolverCapability> capabilities() {
            return EnumSet.of(RESOLVES_FUNCTIONS, SERVICE_LOADER_REGISTERED);
        }

        @Override
        public Optional<String> providerId() {
            return Optional.of("not-registered-anywhere");
        }
    }

    /** R13: the provider ignores configuration keys it does not know. */
    @Breaks("R13")
    static final class LenientProvider extends Base {
        @Override
        public SymbolResolver createResolver() {
            return new LenientResolver();
        }

        @Override
        public Set<ResolverCapability> capabilities() {
            return EnumSet.of(RESOLVES_FUNCTIONS, SERVICE_LOADER_REGISTERED);
        }

        @Override
        public Optional<String> providerId() {
            return Optional.of(LenientResolver.ID);
        }
    }

    /** The minimal resolver under another id, with a provider that accepts any configuration. */
    static final class LenientResolver implements SymbolResolver {
        static final String ID = "testkit-lenient";
        private final MinimalResolver delegate = new MinimalResolver();

        @Override
        public String id() {
            return ID;
        }

        @Override
        public Optional<MemorySegment> resolve(String symbol) {
            return delegate.resolve(symbol);
        }

        /** Registered in the testkit's test resources; ignores whatever configuration it is given. */
        public static final class Provider implements SymbolResolverProvider {
            /** Called by ServiceLoader. */
            public Provider() {
            }

            @Override
            public String id() {
                return ID;
            }

            @Override
            public SymbolResolver create(Map<String, String> configuration) {
                return new LenientResolver();
            }
        }
    }

    /** R8: the data symbol resolves to other memory, which holds something else. */
    @Breaks("R8")
    static final class WrongData implements ResolverContract {
        private static final MemorySegment FORTY_ONE = Arena.global().allocateFrom("41");
        private final MinimalResolver good = new MinimalResolver();

        @Override
        public SymbolResolver createResolver() {
            return SymbolResolver.of("wrong-data", name -> name.equals(MinimalResolver.ANSWER) ? Optional.of(FORTY_ONE)
                    : good.resolve(name));
        }

        @Override
        public Set<ResolverCapability> capabilities() {
            return EnumSet.of(RESOLVES_FUNCTIONS, RESOLVES_DATA);
        }

        @Override
        public List<SampleSymbol> samples() {
            return List.of(
                    SampleSymbol.function("strlen", "i64(ptr)").calledWith("hello").returns(5L),
                    SampleSymbol.data(MinimalResolver.ANSWER).containing("42\0"),
                    SampleSymbol.refused("getpid"));
        }
    }

    /**
     * R11: asking which resolvers were consulted, as a backend does to report a failed load, shuts the resolver
     * down: after one failure it resolves nothing.
     */
    @Breaks("R11")
    static final class FailureReportShutsItDown extends Base {
        @Override
        public SymbolResolver createResolver() {
            return new SymbolResolver() {
                private volatile boolean down;

                @Override
                public String id() {
                    return "fragile";
                }

                @Override
                public Optional<MemorySegment> resolve(String symbol) {
                    return down ? Optional.empty() : good.resolve(symbol);
                }

                @Override
                public List<String> consultedIds() {
                    down = true;
                    return List.of(id());
                }
            };
        }
    }
}
