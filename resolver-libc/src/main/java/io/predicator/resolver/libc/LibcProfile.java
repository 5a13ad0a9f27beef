package io.predicator.resolver.libc;

import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Named sets of C library symbols a plugin may import.
 *
 * @since 0.1
 */
public enum LibcProfile {
    /**
     * Memory, string, math and character functions that touch no state outside the memory they are given and the
     * calling thread's {@code errno}, plus the helpers compilers emit calls to on their own ({@code memcpy},
     * {@code memset}, 128-bit arithmetic, stack-protector failure, fortified {@code __*_chk} variants). No file,
     * process, network, time, environment or allocation functions.
     */
    PURE(pureSymbols()),
    /** Every function and variable the C library and the math library export (and the compiler helpers). */
    FULL(Set.of());

    private final Set<String> symbols;

    LibcProfile(Set<String> symbols) {
        this.symbols = symbols;
    }

    /**
     * Returns the symbols of a listed profile.
     *
     * @return the allowed names; empty for {@link #FULL}, which allows everything the libraries export
     */
    public Set<String> symbols() {
        return symbols;
    }

    /**
     * Returns the helpers that compilers emit calls to without the source asking: they must always resolve for
     * ordinary optimised C and Rust to link.
     *
     * @return the compiler helper names
     */
    public static Set<String> compilerHelpers() {
        return CompilerHelpers.NAMES;
    }

    /** Holds the helper names apart from the constants, which are initialised first. */
    private static final class CompilerHelpers {
        private static final Set<String> NAMES = Set.of(
            "memcpy", "memmove", "memset", "memcmp", "bcmp", "__stack_chk_fail", "__errno_location",
            "__udivti3", "__divti3", "__umodti3", "__modti3", "__udivmodti4", "__divmodti4", "__multi3", "__muloti4",
            "__mulodi4", "__ashlti3", "__ashrti3", "__lshrti3", "__negti2", "__popcountdi2", "__popcountti2",
            "__clzti2", "__ctzti2", "__ffsti2", "__floattidf", "__floattisf", "__floatuntidf", "__floatuntisf",
            "__fixdfti", "__fixsfti", "__fixunsdfti", "__fixunssfti", "__powidf2", "__powisf2",
            "__memcpy_chk", "__memmove_chk", "__memset_chk", "__strcpy_chk", "__strncpy_chk", "__strcat_chk",
            "__strncat_chk", "__stpcpy_chk", "__stpncpy_chk", "__mempcpy_chk", "__explicit_bzero_chk",
            "__snprintf_chk", "__vsnprintf_chk");
    }

    private static Set<String> pureSymbols() {
        Stream<String> memory = Stream.of("memchr", "memrchr", "memmem", "memccpy", "mempcpy", "bzero", "explicit_bzero");
        Stream<String> strings = Stream.of("strlen", "strnlen", "strcmp", "strncmp", "strcasecmp", "strncasecmp",
                "strcpy", "strncpy", "stpcpy", "stpncpy", "strcat", "strncat", "strchr", "strrchr", "strchrnul",
                "strstr", "strcasestr", "strspn", "strcspn", "strpbrk", "strtok_r", "strsep", "strlcpy", "strlcat",
                "strtol", "strtoul", "strtoll", "strtoull", "strtod", "strtof", "strtold", "strtoimax", "strtoumax",
                "atoi", "atol", "atoll", "atof", "snprintf", "vsnprintf", "sscanf", "vsscanf",
                "abs", "labs", "llabs", "div", "ldiv", "lldiv", "qsort", "bsearch");
        Stream<String> characters = Stream.of("isalnum", "isalpha", "isblank", "iscntrl", "isdigit", "isgraph",
                "islower", "isprint", "ispunct", "isspace", "isupper", "isxdigit", "isascii", "tolower", "toupper",
                "__ctype_b_loc", "__ctype_tolower_loc", "__ctype_toupper_loc");
        Stream<String> math = Stream.of("sqrt", "cbrt", "hypot", "pow", "exp", "exp2", "expm1", "log", "log2",
                "log10", "log1p", "logb", "sin", "cos", "tan", "asin", "acos", "atan", "atan2", "sinh", "cosh", "tanh",
                "asinh", "acosh", "atanh", "fabs", "floor", "ceil", "round", "trunc", "rint", "nearbyint", "lround",
                "llround", "lrint", "llrint", "fmod", "remainder", "remquo", "fmin", "fmax", "fdim", "fma", "ldexp",
                "frexp", "modf", "scalbn", "ilogb", "copysign", "nextafter", "nan", "erf", "erfc", "tgamma")
                .flatMap(name -> Stream.of(name, name + "f"));
        Set<String> all = new TreeSet<>(CompilerHelpers.NAMES);
        Stream.of(memory, strings, characters, math).flatMap(stream -> stream).forEach(all::add);
        return Set.copyOf(all);
    }
}
