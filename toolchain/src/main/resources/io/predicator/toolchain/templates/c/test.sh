#!/bin/sh
# Checks the plugin's functions through predicator (set PREDICATOR to its path if it is not on the PATH).
set -eu
cd "$(dirname "$0")"
predicator="${PREDICATOR:-predicator}"
passed=0
failed=0

check() {
    expected="$1"
    shift
    if actual="$("$predicator" run "$@")" && [ "$actual" = "$expected" ]; then
        passed=$((passed + 1))
    else
        echo "FAIL: predicator run $*: expected $expected, got ${actual:-nothing}" >&2
        failed=$((failed + 1))
    fi
}

check 5 plugin.c add 2 3
check -2147483648 plugin.c add 2147483647 1
check 3 plugin.c count_byte banana 0x61
check 0 plugin.c count_byte null 0x61

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
