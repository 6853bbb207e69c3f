#include <sqlite3.h>

// sqlite3_config is variadic, which Swift cannot call: these wrap the settings the store uses.

/// Turns off SQLite's memory statistics, which take a global mutex around every allocation. Only
/// effective before the library initialises (the first open); SQLITE_MISUSE after that, harmlessly.
static inline int csqlite_disable_memory_statistics(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

/// How large a statement journal grows in memory before it is written to a temporary file instead
/// (SQLite's default is 64 KiB). Once written to a file, a statement journal stays one until its
/// transaction ends: every later statement's journal is written there too. SQLite then writes the memory
/// in pieces of `bytes`, which its Unix layer cuts to 17 bits: keep it under 128 KiB. Only effective
/// before the library initialises, like the setting above.
static inline int csqlite_set_statement_journal_spill(int bytes) {
    return sqlite3_config(SQLITE_CONFIG_STMTJRNL_SPILL, bytes);
}
