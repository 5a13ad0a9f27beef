#!/usr/bin/env bash
# Fetches SQLite's amalgamation (sqlite3.c, one C file of ~270,000 lines, public domain) as the npm package
# better-sqlite3 ships it, checks its SHA-256, caches it, and prints the directory that holds it. The SQLite example
# (query.c includes "sqlite3.c": pass that directory with -I), its test and the benchmarks' large plugin all use this
# one fetch. The project commits no third-party source: Maven Central has no C sources, npm carries this one.
#
#   examples/sqlite/fetch.sh        prints e.g. ~/.cache/predicator/sqlite/3.54.1
#
# The cache is ${PREDICATOR_CACHE:-${XDG_CACHE_HOME:-~/.cache}/predicator}/sqlite/VERSION. Exit status: 0 fetched or
# cached; 3 it cannot be fetched here (no npm, or the registry did not answer); 1 anything else (a wrong checksum).
set -euo pipefail

PACKAGE="better-sqlite3@13.2.0"          # ships deps/sqlite3/sqlite3.c
VERSION="3.54.1"                         # the SQLite release in that package
SHA256="75a4760a7b9727a4c4c877aec92eacf39e52a8f2921ce00bd33be6d3a8e8e254"

cache="${PREDICATOR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/predicator}/sqlite/$VERSION"
target="$cache/sqlite3.c"

verify() {
    echo "$SHA256  $1" | sha256sum --check --status
}

if [ -f "$target" ] && verify "$target"; then
    echo "$cache"
    exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
    echo "npm is needed to fetch SQLite's amalgamation ($PACKAGE); install Node.js" >&2
    exit 3
fi
mkdir -p "$cache"
download="$(mktemp -d "$cache/download.XXXXXX")"
trap 'rm -rf "$download"' EXIT
if ! (cd "$download" && npm pack --silent "$PACKAGE" >/dev/null); then
    echo "npm could not fetch $PACKAGE from its registry" >&2
    exit 3
fi
tar -xzf "$download"/*.tgz -C "$download" package/deps/sqlite3/sqlite3.c
if ! verify "$download/package/deps/sqlite3/sqlite3.c"; then
    echo "sqlite3.c from $PACKAGE does not have the expected SHA-256 $SHA256" >&2
    exit 1
fi
# A rename within one directory is atomic: a concurrent fetch sees the old state or the whole file.
mv "$download/package/deps/sqlite3/sqlite3.c" "$target"
echo "Fetched $target" >&2
echo "$cache"
