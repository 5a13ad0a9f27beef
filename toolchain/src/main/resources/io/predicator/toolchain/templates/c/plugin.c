/*
 * {{name}}: a Predicator plugin written in C.
 *
 *   predicator run plugin.c add 2 3             compiles, loads and calls: prints 5
 *   predicator build plugin.c -o {{name}}.bc    LLVM bitcode for JitContext.load
 *   ./test.sh                                   checks every function through predicator
 *
 * Every function that is not static is exported, with its signature: callers need not pass one. Include libc
 * headers freely; libc calls resolve when the plugin is loaded, through the resolver the host chooses
 * (predicator run --resolver libc). Without one, a plugin gets only memcpy, memmove, memset, memcmp and bcmp.
 * Thread-local variables and constructors are not supported.
 */
#include <stddef.h>
#include <stdint.h>

/* Adds two numbers, wrapping on overflow. */
int32_t add(int32_t a, int32_t b) {
    return (int32_t) ((uint32_t) a + (uint32_t) b);
}

/* Counts how often a byte occurs in a NUL-terminated text; 0 for NULL. */
int64_t count_byte(const char *text, char byte) {
    if (text == NULL) {
        return 0;
    }
    int64_t count = 0;
    for (; *text != '\0'; text++) {
        count += *text == byte;
    }
    return count;
}
