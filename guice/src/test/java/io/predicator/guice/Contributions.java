package io.predicator.guice;

import com.google.inject.AbstractModule;
import com.google.inject.Module;
import com.google.inject.multibindings.Multibinder;
import io.predicator.spi.SymbolResolver;

/** Builds the modules through which tests contribute resolvers, as an application would. */
final class Contributions {
    private Contributions() {
    }

    static Module contributing(SymbolResolver... resolvers) {
        return new AbstractModule() {
            @Override
            protected void configure() {
                Multibinder<SymbolResolver> binder = PredicatorModule.resolverBinder(binder());
                for (SymbolResolver resolver : resolvers) {
                    binder.addBinding().toInstance(resolver);
                }
            }
        };
    }
}
