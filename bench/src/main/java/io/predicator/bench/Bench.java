package io.predicator.bench;

/** Settings every benchmark fork shares. */
final class Bench {
    /** FFM downcalls and JavaCPP's JNI libraries are restricted methods. */
    static final String NATIVE_ACCESS = "--enable-native-access=ALL-UNNAMED";
    /** As the tests: LLVM's code generator recurses deeply on large functions. */
    static final String STACK = "-Xss4m";

    private Bench() {
    }
}
