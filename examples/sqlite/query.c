/*
 * SQLite as a plugin: the whole library is one translation unit (sqlite3.c, the public-domain amalgamation of
 * SQLite 3.54.1, about 271,000 lines), compiled by the bundled clang and JIT-loaded like any other plugin. It
 * allocates memory and reads the clock through libc, so it loads with the libc:full resolver. The amalgamation is
 * not in the repository: fetch.sh fetches it once into a cache and prints that directory, for -I.
 *
 *   ./predicator run --resolver libc:full -I "$(examples/sqlite/fetch.sh)" examples/sqlite/query.c sqlite_eval "select 6 * 7"
 *
 * The first run compiles SQLite (about half a minute); later runs come from the toolchain's cache.
 */
#define SQLITE_THREADSAFE 0
#define SQLITE_OMIT_LOAD_EXTENSION 1
#define SQLITE_DQS 0
#include "sqlite3.c"

static sqlite3_int64 sqlite3_atoi64(const char *text) {
    sqlite3_int64 value = 0;
    sqlite3Atoi64(text, &value, sqlite3Strlen30(text), SQLITE_UTF8);
    return value;
}

/* Stores the first column of the row as an integer. */
static int remember(void *last, int columns, char **values, char **names) {
    (void) names;
    *(sqlite3_int64 *) last = columns > 0 && values[0] != NULL ? sqlite3_atoi64(values[0]) : 0;
    return 0;
}

/*
 * Runs SQL statements in a fresh in-memory database and returns the first column of the last row they produced
 * (0 if none); on an error, -1000 minus SQLite's error code.
 */
sqlite3_int64 sqlite_eval(const char *sql) {
    sqlite3 *db;
    sqlite3_int64 last = 0;
    if (sqlite3_open(":memory:", &db) != SQLITE_OK) {
        return -1000 - SQLITE_CANTOPEN;
    }
    int rc = sqlite3_exec(db, sql, remember, &last, NULL);
    sqlite3_close(db);
    return rc == SQLITE_OK ? last : -1000 - rc;
}
