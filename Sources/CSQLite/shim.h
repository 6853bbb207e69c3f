#include <sqlite3.h>

// sqlite3_config is variadic, which Swift cannot call: these wrap the settings the store uses.

/// Turns off SQLite's memory statistics, which take a global mutex around every allocation. Only
/// effective before the library initialises (the first open); SQLITE_MISUSE after that, harmlessly.
static inline int csqlite_disable_memory_statistics(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}
