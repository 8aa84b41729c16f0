#include "sink/sqlite_report.hpp"

#include <sqlite3.h>
#include <unistd.h>

#include "common/errors.hpp"
#include "common/json_text.hpp"

namespace ramify {
namespace {

// Both tables have these columns; `outcomes` adds status.
const char* kColumns =
    "container_type TEXT, container_id TEXT, label TEXT, err TEXT, msg TEXT, resolved INTEGER, search_key TEXT,"
    " severity TEXT, ts TEXT, worker TEXT, seq INTEGER, assignment INTEGER, attempt INTEGER, run TEXT, results TEXT";
const char* kInsertColumns =
    "container_type, container_id, label, err, msg, resolved, search_key, severity, ts, worker, seq, assignment,"
    " attempt, run, results";

void bind_text(sqlite3_stmt* stmt, int index, const std::string& text) {
  sqlite3_bind_text(stmt, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
}

std::string column(sqlite3_stmt* stmt, int index) {
  const auto* text = sqlite3_column_text(stmt, index);
  return text ? std::string(reinterpret_cast<const char*>(text), static_cast<std::size_t>(sqlite3_column_bytes(stmt, index)))
              : std::string();
}

}  // namespace

SqliteReport::SqliteReport(std::string path, ExistingReport existing, const ExistingRowHandler& on_existing_row)
    : path_(std::move(path)) {
  if (existing == ExistingReport::replace) unlink(path_.c_str());
  if (sqlite3_open_v2(path_.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK) {
    std::string why = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw ConfigError("cannot open report " + path_ + ": " + why);
  }
  try {
    exec("PRAGMA journal_mode=WAL");
    exec("PRAGMA synchronous=NORMAL");
    exec((std::string("CREATE TABLE IF NOT EXISTS outcomes (status TEXT, ") + kColumns + ")").c_str());
    exec((std::string("CREATE TABLE IF NOT EXISTS logs (") + kColumns + ")").c_str());
    exec("CREATE INDEX IF NOT EXISTS outcomes_container_id ON outcomes (container_id)");
    exec("CREATE INDEX IF NOT EXISTS logs_container_id ON logs (container_id)");
  } catch (const ConfigError& e) {
    sqlite3_close(db_);
    db_ = nullptr;
    throw ConfigError("report " + path_ + " is not a ramify report database: " + e.what());
  }
  if (existing == ExistingReport::append && on_existing_row) {
    for (const char* table : {"outcomes", "logs"}) {
      const bool outcomes = std::string(table) == "outcomes";
      sqlite3_stmt* select = prepare((std::string("SELECT ") + kInsertColumns + (outcomes ? ", status" : "") +
                                      " FROM " + table)
                                         .c_str());
      while (sqlite3_step(select) == SQLITE_ROW) {
        ReportRow row;
        LogRecord& r = row.record;
        r.kind = outcomes ? RecordKind::outcome : RecordKind::log;
        r.container_type = column(select, 0);
        r.container_id = column(select, 1);
        r.label = column(select, 2);
        r.err = column(select, 3);
        r.msg = column(select, 4);
        r.resolved = sqlite3_column_int(select, 5) != 0;
        r.search_key = column(select, 6);
        r.severity = severity_named(column(select, 7));
        r.ts_us = parse_iso8601_utc(column(select, 8));
        row.worker = column(select, 9);
        row.seq = static_cast<std::uint64_t>(sqlite3_column_int64(select, 10));
        r.assignment = static_cast<std::uint64_t>(sqlite3_column_int64(select, 11));
        r.attempt = static_cast<std::uint32_t>(sqlite3_column_int64(select, 12));
        row.run = column(select, 13);
        r.fields = results_from_json(column(select, 14));
        if (outcomes) r.status = status_named(column(select, 15));
        on_existing_row(row);
      }
      sqlite3_finalize(select);
    }
  }
  insert_outcome_ = prepare((std::string("INSERT INTO outcomes (") + kInsertColumns +
                             ", status) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")
                                .c_str());
  insert_log_ = prepare(
      (std::string("INSERT INTO logs (") + kInsertColumns + ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)").c_str());
}

SqliteReport::~SqliteReport() {
  if (!db_) return;
  try {
    flush();
  } catch (const std::exception&) {
  }
  sqlite3_finalize(insert_outcome_);
  sqlite3_finalize(insert_log_);
  sqlite3_close(db_);
}

void SqliteReport::exec(const char* sql) {
  char* error = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &error) != SQLITE_OK) {
    std::string why = error ? error : "unknown error";
    sqlite3_free(error);
    throw ConfigError(why);
  }
}

sqlite3_stmt* SqliteReport::prepare(const char* sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_, sql, -1, &stmt, nullptr) != SQLITE_OK)
    throw ConfigError("report " + path_ + ": " + sqlite3_errmsg(db_));
  return stmt;
}

void SqliteReport::begin() {
  if (in_transaction_) return;
  exec("BEGIN");
  in_transaction_ = true;
}

void SqliteReport::write(const ReportRow& row) {
  begin();
  const LogRecord& r = row.record;
  sqlite3_stmt* stmt = r.kind == RecordKind::outcome ? insert_outcome_ : insert_log_;
  bind_text(stmt, 1, r.container_type);
  bind_text(stmt, 2, r.container_id);
  bind_text(stmt, 3, r.label);
  bind_text(stmt, 4, r.err);
  bind_text(stmt, 5, r.msg);
  sqlite3_bind_int(stmt, 6, r.resolved ? 1 : 0);
  bind_text(stmt, 7, r.search_key);
  bind_text(stmt, 8, to_string(r.severity));
  bind_text(stmt, 9, iso8601_utc(r.ts_us));
  bind_text(stmt, 10, row.worker);
  sqlite3_bind_int64(stmt, 11, static_cast<sqlite3_int64>(row.seq));
  sqlite3_bind_int64(stmt, 12, static_cast<sqlite3_int64>(r.assignment));
  sqlite3_bind_int64(stmt, 13, r.attempt);
  bind_text(stmt, 14, row.run);
  bind_text(stmt, 15, r.fields.empty() ? std::string() : results_json(r));
  if (r.kind == RecordKind::outcome) bind_text(stmt, 16, to_string(r.status));
  if (sqlite3_step(stmt) != SQLITE_DONE) {
    std::string why = sqlite3_errmsg(db_);
    sqlite3_reset(stmt);
    throw std::runtime_error("report " + path_ + ": " + why);
  }
  sqlite3_reset(stmt);
}

void SqliteReport::flush() {
  if (!in_transaction_) return;
  exec("COMMIT");
  in_transaction_ = false;
}

std::uint64_t SqliteReport::drop_outcomes(const std::vector<AssignmentRef>& attempts) {
  if (attempts.empty()) return 0;
  flush();
  exec("BEGIN");
  sqlite3_stmt* remove = prepare("DELETE FROM outcomes WHERE assignment = ? AND attempt = ?");
  std::uint64_t removed = 0;
  for (const auto& a : attempts) {
    sqlite3_bind_int64(remove, 1, static_cast<sqlite3_int64>(a.id));
    sqlite3_bind_int64(remove, 2, a.attempt);
    sqlite3_step(remove);
    removed += static_cast<std::uint64_t>(sqlite3_changes(db_));
    sqlite3_reset(remove);
  }
  sqlite3_finalize(remove);
  exec("COMMIT");
  return removed;
}

}  // namespace ramify
