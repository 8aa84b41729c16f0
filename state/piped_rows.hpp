#pragma once
// Reads a large range of carried rows on a thread of its own while the
// caller handles those already read, so that SQLite's reading and what the
// caller does with each row (the sink: writing the report) overlap. The
// statement is bound by the caller; until read_piped() returns, only the
// reader thread steps it (a connection opened NOMUTEX may be used by one
// thread at a time).

#include <sqlite3.h>

#include <functional>

#include "state/state_store.hpp"

namespace ramify {

// Steps `stmt` to its end: `fill` (on the reader thread) reads the current
// row into a CarriedRow, `each` (on the caller's thread) gets the rows in the
// statement's order. Returns the last sqlite3_step result (SQLITE_DONE when
// every row was read); what `each` throws is rethrown once the reader stopped.
int read_piped(sqlite3_stmt* stmt, const std::function<void(sqlite3_stmt*, CarriedRow&)>& fill,
               const std::function<void(const CarriedRow&)>& each);

}  // namespace ramify
