package io.predicator.resolver.libc;

import io.predicator.spi.SymbolResolver;
import io.predicator.spi.SymbolResolverProvider;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Provides {@link LibcResolver}s under id {@code libc}. Configuration keys: {@code profile} ({@code pure}, the
 * default, or {@code full}), {@code allow} and {@code deny} (comma-separated names or globs).
 *
 * @since 0.1
 */
public final class LibcResolverProvider implements SymbolResolverProvider {
    private static final Set<String> KEYS = Set.of("profile", "allow", "deny");

    /** Creates the provider; {@link java.util.ServiceLoader} calls this. */
    public LibcResolverProvider() {
    }

    @Override
    public String id() {
        return LibcResolver.ID;
    }

    @Override
    public SymbolResolver create(Map<String, String> configuration) {
        for (String key : configuration.keySet()) {
            if (!KEYS.contains(key)) {
                throw new IllegalArgumentException("unknown libc resolver setting '" + key + "'; the settings are "
                        + KEYS.stream().sorted().toList());
            }
        }
        LibcResolver.Builder builder = LibcResolver.builder();
        String profile = configuration.getOrDefault("profile", "pure").strip().toUpperCase(Locale.ROOT);
        try {
            builder.profile(LibcProfile.valueOf(profile));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("libc resolver setting 'profile' must be one of "
                    + Arrays.stream(LibcProfile.values()).map(value -> value.name().toLowerCase(Locale.ROOT)).toList()
                    + ", got '" + configuration.get("profile") + "'", e);
        }
        builder.allow(list(configuration.get("allow")));
        builder.deny(list(configuration.get("deny")));
        return builder.build();
    }

    @Override
    public String description() {
        return "libc: the C and math libraries only, by profile (pure, full) with allow/deny patterns";
    }

    private static List<String> list(String value) {
        if (value == null || value.isBlank()) {
            return List.of();
        }
        return Arrays.stream(value.split(",")).map(String::strip).filter(item -> !item.isEmpty()).toList();
    }
}
