/**
 * Opt-in Guice integration: {@code PredicatorModule} binds a {@code JitContext} with the resolvers chosen by id.
 */
module io.predicator.guice {
    requires transitive io.predicator;
    requires transitive com.google.guice;
    requires io.predicator.resolvers;

    exports io.predicator.guice;
    // Guice calls the module's @Provides methods reflectively.
    opens io.predicator.guice to com.google.guice;
}
