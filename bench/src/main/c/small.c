/* The small plugin of the load-latency benchmarks: a few dozen lines of ordinary C, entry point score(). */

struct rule {
    int threshold;
    int weight;
};

static const struct rule rules[] = {
    {10, 3}, {50, 5}, {100, 8}, {500, 13}, {1000, 21},
};

static int clamp(int value, int low, int high) {
    return value < low ? low : value > high ? high : value;
}

static int gcd(int a, int b) {
    while (b != 0) {
        int t = a % b;
        a = b;
        b = t;
    }
    return a < 0 ? -a : a;
}

int weight_of(int amount) {
    int weight = 1;
    for (unsigned i = 0; i < sizeof rules / sizeof rules[0]; i++) {
        if (amount >= rules[i].threshold) {
            weight = rules[i].weight;
        }
    }
    return weight;
}

int score(int amount, int age) {
    int base = weight_of(amount) * clamp(age, 0, 120);
    return base + gcd(amount, age + 1);
}
