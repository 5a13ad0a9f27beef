package com.example.mathresolver;

import io.predicator.spi.SymbolResolver;
import io.predicator.spi.SymbolResolverProvider;

import java.util.Arrays;
import java.util.Map;

/**
 * Provides {@link MathOnlyResolver}s under id {@code math-only}; registered in
 * {@code META-INF/services/io.predicator.spi.SymbolResolverProvider}. One optional setting: {@code functions}, a
 * comma-separated subset of {@link MathOnlyResolver#FUNCTIONS}.
 */
public final class MathOnlyResolverProvider implements SymbolResolverProvider {

    /** Called by ServiceLoader. */
    public MathOnlyResolverProvider() {
    }

    @Override
    public String id() {
        return MathOnlyResolver.ID;
    }

    @Override
    public SymbolResolver create(Map<String, String> configuration) {
        for (String key : configuration.keySet()) {
            if (!key.equals("functions")) {
                throw new IllegalArgumentException("unknown math-only resolver setting '" + key
                        + "'; the only setting is 'functions'");
            }
        }
        String functions = configuration.get("functions");
        if (functions == null) {
            return new MathOnlyResolver();
        }
        return new MathOnlyResolver(Arrays.stream(functions.split(",")).map(String::strip)
                .filter(name -> !name.isEmpty()).toList());
    }

    @Override
    public String description() {
        return "math-only: sqrt, pow, sin, cos and a few more from libm; nothing else";
    }
}
