#pragma once
// The state store of incremental runs ([job] state = FILE): one SQLite file
// that the sink writes (every node's rows, fingerprints and outcome) and the
// broker reads when a run starts (what may be carried over). Workers never
// see it: what they need travels in their assignments (Assign::baseline).
//
//   meta(key, value)          store_id: a random id, made when the store is;
//                             schema: kSchema; next_seq: the next row's seq
//   nodes(id, search_key, level, stamp, status, pruned, fields, run, first_run)
//     status: of its last outcome, 1 (failed) also for one the run's end interrupted
//   rows(key, seq, level, run, assignment, attempt, outcome, plain, status,
//        severity, json_head, json_timing, json_results)
//     by search key (a subtree's rows are one range of rows_by_key), in the order kept; the
//     report row as its JSON parts (protocol/row_json.hpp); plain: an outcome
//     neither failed nor with error text (the run's counts need no more of it)
//   assignments(key, digest)  a manifest's assignments that the last run to
//     do them did without a failure, by root search key, with their digest
//     (broker/assignment_digest.hpp); one goes when a node it covers changes

#include <sqlite3.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ramify::state_schema {

inline constexpr const char* kCreate =
    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);"
    "CREATE TABLE IF NOT EXISTS nodes(id TEXT PRIMARY KEY, search_key TEXT, level TEXT, stamp TEXT,"
    " status INTEGER, pruned INTEGER, fields BLOB, run TEXT, first_run TEXT);"
    "CREATE INDEX IF NOT EXISTS nodes_by_key ON nodes(search_key);"
    "CREATE TABLE IF NOT EXISTS rows(key TEXT, seq INTEGER, level TEXT, run TEXT, assignment INTEGER,"
    " attempt INTEGER, outcome INTEGER, plain INTEGER, status INTEGER, severity INTEGER, json_head TEXT,"
    " json_timing TEXT, json_results TEXT);"
    "CREATE INDEX IF NOT EXISTS rows_by_key ON rows(key, seq);"
    "CREATE TABLE IF NOT EXISTS assignments(key TEXT PRIMARY KEY, digest TEXT);";
// The layout above; a store of another (an earlier release's) is started afresh.
inline constexpr const char* kSchema = "2";

// One prepared statement, finalized on every path out of a scope.
struct Statement {
  sqlite3_stmt* stmt = nullptr;
  Statement() = default;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement() { sqlite3_finalize(stmt); }
};

std::string column_text(sqlite3_stmt* stmt, int column);
// column_text into `out`, whose storage is reused.
void assign_column_text(std::string& out, sqlite3_stmt* stmt, int column);
std::string column_blob(sqlite3_stmt* stmt, int column);
void bind_text(sqlite3_stmt* stmt, int index, const std::string& text);
void bind_blob(sqlite3_stmt* stmt, int index, const std::string& bytes);

// A node's fields as the store keeps them (msgpack of key/value pairs).
using FieldPairs = std::vector<std::pair<std::string, std::string>>;
std::string pack_fields(const FieldPairs& fields);
FieldPairs unpack_fields(const std::string& bytes);  // empty for bytes that do not decode

// True when `key` is `root` or lies below it (search keys join labels with '/').
bool within(const std::string& key, const std::string& root);

// Search keys in order: a node's descendants sort from "KEY/" up to "KEY0"
// ('0' follows '/'), and "KEY" + kJustAfter is the first key after KEY alone.
inline constexpr const char* kJustAfter = "\x01";
// For a key below `root` that lies deeper than one of root's children: where
// a scan of root's children goes on ("ROOT/CHILD0", past that child's subtree).
std::optional<std::string> past_child_subtree(const std::string& key, const std::string& root);

}  // namespace ramify::state_schema
