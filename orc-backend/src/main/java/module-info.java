/**
 * The ORC LLJIT backend: {@code JitContext.builder()} finds it through {@link io.predicator.spi.JitBackend}.
 * Everything but the provider class is internal.
 */
module io.predicator.orc {
    requires transitive io.predicator;
    requires org.bytedeco.javacpp;
    requires org.bytedeco.llvm;
    requires jdk.jfr;

    exports io.predicator.orc;
    exports io.predicator.orc.programs to io.predicator.toolchain;

    provides io.predicator.spi.JitBackend with io.predicator.orc.OrcBackend;
}
