/* The plugin of the call-overhead benchmarks: the cheapest function with arguments and a result. */

int add(int a, int b) {
    return a + b;
}
