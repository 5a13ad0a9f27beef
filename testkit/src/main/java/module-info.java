/**
 * JUnit 5 conformance suites for third-party symbol resolvers and JIT backends, and the fixtures they load.
 */
module io.predicator.testkit {
    requires transitive io.predicator;
    requires transitive org.junit.jupiter.api;
    requires org.assertj.core;
    requires org.bytedeco.javacpp;
    requires org.bytedeco.llvm;

    exports io.predicator.testkit;
    exports io.predicator.testkit.fixtures;
    // JUnit runs the contracts' test methods reflectively.
    opens io.predicator.testkit to org.junit.platform.commons;

    uses io.predicator.spi.SymbolResolverProvider;
}
