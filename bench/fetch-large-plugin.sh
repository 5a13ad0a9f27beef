#!/usr/bin/env bash
# Fetches the benchmarks' large plugin: SQLite's amalgamation (sqlite3.c, one C file of ~270,000 lines) as the npm
# package better-sqlite3 ships it. Maven Central has no C sources; npm is the registry at hand that carries it.
# The file lands in bench/target/large-plugin/ and is never committed. Needs npm and the npm registry.
set -euo pipefail

PACKAGE="better-sqlite3@13.2.0"          # ships deps/sqlite3/sqlite3.c, SQLite 3.54.1
SHA256="75a4760a7b9727a4c4c877aec92eacf39e52a8f2921ce00bd33be6d3a8e8e254"

here="$(cd "$(dirname "$0")" && pwd)"
destination="$here/target/large-plugin"
target="$destination/sqlite3.c"

verify() {
    echo "$SHA256  $1" | sha256sum --check --status
}

if [ -f "$target" ] && verify "$target"; then
    echo "Large plugin already fetched: $target"
    exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
    echo "npm is needed to fetch the large plugin ($PACKAGE); install Node.js or skip the large-plugin benchmarks" >&2
    exit 1
fi
download="$destination/download"
rm -rf "$download"
mkdir -p "$download"
(cd "$download" && npm pack --silent "$PACKAGE" >/dev/null)
tar -xzf "$download"/*.tgz -C "$download" package/deps/sqlite3/sqlite3.c
if ! verify "$download/package/deps/sqlite3/sqlite3.c"; then
    echo "sqlite3.c from $PACKAGE does not have the expected SHA-256 $SHA256" >&2
    exit 1
fi
mv "$download/package/deps/sqlite3/sqlite3.c" "$target"
rm -rf "$download"
echo "Fetched $target"
