/**
 * Predicator's API: {@code JitContext}, {@code ModuleSource}, {@code Plugin}, the exceptions, and the SPI that
 * backends and symbol resolvers implement. Depends on the JDK only.
 */
module io.predicator {
    exports io.predicator;
    exports io.predicator.spi;
    exports io.predicator.plumbing to
            io.predicator.orc,
            io.predicator.lifecycle,
            io.predicator.resolver.statics;

    uses io.predicator.spi.JitBackend;
}
