#include "sink/sqlite_report.hpp"

#include <sqlite3.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "util/errors.hpp"
#include "util/json_text.hpp"

namespace ramify {
namespace {

// Both tables have these columns; `outcomes` adds status.
const char* kColumns =
    "container_type TEXT, container_id TEXT, label TEXT, err TEXT, msg TEXT, resolved INTEGER, search_key TEXT,"
    " severity TEXT, ts TEXT, worker TEXT, seq INTEGER, assignment INTEGER, attempt INTEGER, run TEXT, results TEXT,"
    " started TEXT, seconds REAL";
const char* kInsertColumns =
    "container_type, container_id, label, err, msg, resolved, search_key, severity, ts, worker, seq, assignment,"
    " attempt, run, results, started, seconds";

void bind_text(sqlite3_stmt* stmt, int index, const std::string& text) {
  sqlite3_bind_text(stmt, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
}

std::string column(sqlite3_stmt* stmt, int index) {
  const auto* text = sqlite3_column_text(stmt, index);
  return text ? std::string(reinterpret_cast<const char*>(text), static_cast<std::size_t>(sqlite3_column_bytes(stmt, index)))
              : std::string();
}

// A statement finalized at the end of its scope.
struct Statement {
  sqlite3_stmt* stmt = nullptr;
  Statement() = default;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement() { sqlite3_finalize(stmt); }
};

// Hands every row of both tables to `each` (outcomes first). `timing`: the
// table has the started and seconds columns (a report of an older ramify has
// not). Returns SQLITE_DONE, or the error that stopped the reading.
int read_rows(sqlite3* db, bool timing, const std::string& path, const ExistingRowHandler& each) {
  for (const char* table : {"outcomes", "logs"}) {
    const bool outcomes = std::string(table) == "outcomes";
    const std::string columns = timing ? kInsertColumns
                                       : std::string(kInsertColumns).substr(0, std::string(kInsertColumns).rfind(", started")) +
                                             ", NULL, NULL";
    Statement select;
    if (const int rc = sqlite3_prepare_v2(
            db, ("SELECT " + columns + (outcomes ? ", status" : "") + " FROM " + table).c_str(), -1, &select.stmt, nullptr);
        rc != SQLITE_OK)
      return rc;
    int rc = SQLITE_OK;
    while ((rc = sqlite3_step(select.stmt)) == SQLITE_ROW) {
      sqlite3_stmt* stmt = select.stmt;
      ReportRow row;
      LogRecord& r = row.record;
      r.kind = outcomes ? RecordKind::outcome : RecordKind::log;
      r.container_type = column(stmt, 0);
      r.container_id = column(stmt, 1);
      r.label = column(stmt, 2);
      r.err = column(stmt, 3);
      r.msg = column(stmt, 4);
      r.resolved = sqlite3_column_int(stmt, 5) != 0;
      r.search_key = column(stmt, 6);
      r.severity = severity_named(column(stmt, 7));
      r.ts_us = parse_iso8601_utc(column(stmt, 8));
      row.worker = column(stmt, 9);
      row.seq = static_cast<std::uint64_t>(sqlite3_column_int64(stmt, 10));
      r.assignment = static_cast<std::uint64_t>(sqlite3_column_int64(stmt, 11));
      r.attempt = static_cast<std::uint32_t>(sqlite3_column_int64(stmt, 12));
      row.run = column(stmt, 13);
      try {
        r.fields = results_from_json(column(stmt, 14));
      } catch (const DecodeError& e) {
        throw ConfigError("report " + path + ": " + e.what());
      }
      set_timing(r, column(stmt, 15), column(stmt, 16));
      if (outcomes) r.status = status_named(column(stmt, 17));
      each(row);
    }
    if (rc != SQLITE_DONE) return rc;
  }
  return SQLITE_DONE;
}

bool is_io_failure(int code) {
  const int primary = code & 0xff;
  return primary == SQLITE_FULL || primary == SQLITE_IOERR;
}

}  // namespace

SqliteReport::SqliteReport(std::string path, ExistingReport existing, const ExistingRowHandler& on_existing_row)
    : path_(std::move(path)), file_(LockedFile::open_report(path_, existing == ExistingReport::refuse)) {
  if (existing != ExistingReport::append) {
    // Only now that the file is locked: the old report goes, and with it any
    // log or journal left next to it (SQLite would play them into the new one).
    if (::ftruncate(file_.fd(), 0) != 0)
      throw ConfigError("cannot replace report " + path_ + ": " + std::strerror(errno));
    for (const char* suffix : {"-wal", "-shm", "-journal"}) {
      const std::string companion = path_ + suffix;
      if (::unlink(companion.c_str()) != 0 && errno != ENOENT)
        throw ConfigError("cannot replace report " + path_ + ": cannot remove " + companion + ": " +
                          std::strerror(errno));
    }
  }
  if (sqlite3_open_v2(path_.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK) {
    std::string cause = db_ ? sqlite3_errmsg(db_) : "out of memory";
    close();
    throw ConfigError("cannot open report " + path_ + ": " + cause);
  }
  try {
    sqlite3_busy_timeout(db_, 5000);  // a reader (the sqlite3 shell) in the way of a checkpoint
    const std::string setup[] = {
        "PRAGMA journal_mode=WAL",
        "PRAGMA synchronous=NORMAL",
        std::string("CREATE TABLE IF NOT EXISTS outcomes (status TEXT, ") + kColumns + ")",
        std::string("CREATE TABLE IF NOT EXISTS logs (") + kColumns + ")",
        "CREATE INDEX IF NOT EXISTS outcomes_container_id ON outcomes (container_id)",
        "CREATE INDEX IF NOT EXISTS logs_container_id ON logs (container_id)"};
    for (const auto& sql : setup) {
      if (const int rc = exec(sql.c_str()); rc != SQLITE_OK) {
        if (is_io_failure(rc)) throw WriteError("cannot open report " + path_ + ": " + why(rc));
        throw ConfigError("report " + path_ + " is not a ramify report database: " + why(rc));
      }
    }
    // A report made before the timing columns gets them (a column already there is refused: fine).
    for (const char* table : {"outcomes", "logs"})
      for (const char* added : {"started TEXT", "seconds REAL"})
        exec((std::string("ALTER TABLE ") + table + " ADD COLUMN " + added).c_str());
    for (const char* table : {"outcomes", "logs"}) {
      Statement count;
      count.stmt = prepare((std::string("SELECT count(*) FROM ") + table).c_str());
      if (sqlite3_step(count.stmt) == SQLITE_ROW)
        committed_rows_ += static_cast<std::uint64_t>(sqlite3_column_int64(count.stmt, 0));
    }
    if (existing == ExistingReport::append && on_existing_row) {
      if (const int rc = read_rows(db_, true, path_, on_existing_row); rc != SQLITE_DONE)
        throw ConfigError("cannot continue report " + path_ + ": " + why(rc));
    }
    insert_outcome_ = prepare((std::string("INSERT INTO outcomes (") + kInsertColumns +
                               ", status) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")
                                  .c_str());
    insert_log_ = prepare(
        (std::string("INSERT INTO logs (") + kInsertColumns + ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)").c_str());
  } catch (...) {
    close();
    throw;
  }
}

SqliteReport::~SqliteReport() {
  if (db_ && failure_.empty() && in_transaction_ && exec("COMMIT") != SQLITE_OK && !sqlite3_get_autocommit(db_))
    exec("ROLLBACK");
  close();
}

void SqliteReport::read(const std::string& path, const ExistingRowHandler& each) {
  sqlite3* db = nullptr;
  const int opened = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  const auto cause = [&](int rc) { return std::string(db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)); };
  struct Closer {
    sqlite3* db;
    ~Closer() { sqlite3_close(db); }
  } closer{db};
  if (opened != SQLITE_OK) throw ConfigError("cannot read report " + path + ": " + cause(opened));
  sqlite3_busy_timeout(db, 5000);  // a sink that commits meanwhile
  Statement probe;
  const bool timing = sqlite3_prepare_v2(db, "SELECT started, seconds FROM outcomes LIMIT 0", -1, &probe.stmt,
                                         nullptr) == SQLITE_OK;
  if (const int rc = read_rows(db, timing, path, each); rc != SQLITE_DONE)
    throw ConfigError("report " + path + " is not a ramify report database: " + cause(rc));
}

void SqliteReport::close() {
  if (!db_) return;
  while (sqlite3_stmt* stmt = sqlite3_next_stmt(db_, nullptr)) sqlite3_finalize(stmt);
  insert_outcome_ = nullptr;
  insert_log_ = nullptr;
  sqlite3_close(db_);  // before file_ closes its descriptor of the same file
  db_ = nullptr;
}

int SqliteReport::exec(const char* sql) { return sqlite3_exec(db_, sql, nullptr, nullptr, nullptr); }

sqlite3_stmt* SqliteReport::prepare(const char* sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_, sql, -1, &stmt, nullptr) != SQLITE_OK)
    throw ConfigError("report " + path_ + ": " + sqlite3_errmsg(db_));
  return stmt;
}

std::string SqliteReport::why(int code) const {
  if ((code & 0xff) == SQLITE_FULL) return std::strerror(ENOSPC);
  if ((code & 0xff) == SQLITE_IOERR)
    if (const int error = sqlite3_system_errno(db_)) return std::strerror(error);
  return sqlite3_errmsg(db_);
}

void SqliteReport::fail(int code) { fail(why(code)); }

void SqliteReport::fail(const std::string& cause) {
  // Some failures roll the transaction back themselves; ROLLBACK makes sure.
  if (!sqlite3_get_autocommit(db_)) exec("ROLLBACK");
  in_transaction_ = false;
  pending_rows_ = 0;
  failure_ = report_write_failure(path_, cause, committed_rows_);
  throw WriteError(failure_);
}

void SqliteReport::throw_if_failed() const {
  if (!failure_.empty()) throw WriteError(failure_);
}

void SqliteReport::begin() {
  if (in_transaction_) return;
  if (const int rc = exec("BEGIN"); rc != SQLITE_OK) fail(rc);
  in_transaction_ = true;
}

void SqliteReport::write(const ReportRow& row) {
  throw_if_failed();
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
  if (r.kind == RecordKind::outcome && r.start_us != 0) {
    bind_text(stmt, 16, started_text(r));
    sqlite3_bind_double(stmt, 17, static_cast<double>(r.duration_us) / 1e6);
  } else {
    sqlite3_bind_null(stmt, 16);
    sqlite3_bind_null(stmt, 17);
  }
  if (r.kind == RecordKind::outcome) bind_text(stmt, 18, to_string(r.status));
  const int rc = sqlite3_step(stmt);
  if (rc != SQLITE_DONE) {
    const std::string cause = why(rc);
    sqlite3_reset(stmt);
    fail(cause);
  }
  sqlite3_reset(stmt);
  ++pending_rows_;
}

void SqliteReport::flush() {
  throw_if_failed();
  if (!in_transaction_) return;
  if (const int rc = exec("COMMIT"); rc != SQLITE_OK) fail(rc);
  in_transaction_ = false;
  committed_rows_ += pending_rows_;
  pending_rows_ = 0;
}

void SqliteReport::finish() {
  flush();
  // Copies the log into the main file and syncs both (synchronous=NORMAL
  // syncs at checkpoints), then empties the log.
  const int rc = sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr);
  if (rc != SQLITE_OK) fail(rc);
  if (::fsync(file_.fd()) != 0) fail(std::strerror(errno));
  if (const int error = sync_folder_of(path_)) fail(std::strerror(error));
}

std::uint64_t SqliteReport::drop_outcomes(const std::vector<AssignmentRef>& attempts) {
  throw_if_failed();
  if (attempts.empty()) return 0;
  flush();
  std::uint64_t removed = 0;
  std::string cause;
  {
    int rc = exec("BEGIN");
    Statement remove;
    if (rc == SQLITE_OK)
      rc = sqlite3_prepare_v2(db_, "DELETE FROM outcomes WHERE assignment = ? AND attempt = ?", -1, &remove.stmt,
                              nullptr);
    for (std::size_t i = 0; rc == SQLITE_OK && i < attempts.size(); ++i) {
      sqlite3_bind_int64(remove.stmt, 1, static_cast<sqlite3_int64>(attempts[i].id));
      sqlite3_bind_int64(remove.stmt, 2, attempts[i].attempt);
      rc = sqlite3_step(remove.stmt);
      if (rc == SQLITE_DONE) {
        rc = SQLITE_OK;
        removed += static_cast<std::uint64_t>(sqlite3_changes(db_));
      }
      if (rc != SQLITE_OK) cause = why(rc);
      sqlite3_reset(remove.stmt);
    }
    if (rc == SQLITE_OK) {
      rc = exec("COMMIT");
      if (rc == SQLITE_OK) {
        committed_rows_ -= removed;
        return removed;
      }
    }
    if (cause.empty()) cause = why(rc);
  }
  if (!sqlite3_get_autocommit(db_)) exec("ROLLBACK");  // the report as it was
  // What it would have removed: the deletes may have stopped early.
  std::uint64_t would_remove = 0;
  {
    Statement count;
    if (sqlite3_prepare_v2(db_, "SELECT count(*) FROM outcomes WHERE assignment = ? AND attempt = ?", -1,
                           &count.stmt, nullptr) == SQLITE_OK) {
      for (const auto& a : attempts) {
        sqlite3_bind_int64(count.stmt, 1, static_cast<sqlite3_int64>(a.id));
        sqlite3_bind_int64(count.stmt, 2, a.attempt);
        if (sqlite3_step(count.stmt) == SQLITE_ROW)
          would_remove += static_cast<std::uint64_t>(sqlite3_column_int64(count.stmt, 0));
        sqlite3_reset(count.stmt);
      }
    } else {
      would_remove = removed;
    }
  }
  throw WriteError(report_compaction_failure(path_, would_remove, cause));
}

}  // namespace ramify
