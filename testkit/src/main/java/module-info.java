/**
 * JUnit 5 conformance suites for third-party symbol resolvers and JIT backends.
 */
module io.predicator.testkit {
    requires transitive io.predicator;
    requires transitive org.junit.jupiter.api;
    requires org.assertj.core;
    requires transitive io.predicator.fixtures;

    exports io.predicator.testkit;
    // JUnit runs the contracts' test methods reflectively.
    opens io.predicator.testkit to org.junit.platform.commons;

    uses io.predicator.spi.SymbolResolverProvider;
}
