#include "broker/journal.hpp"

#include <sqlite3.h>

#include <functional>
#include <map>

#include "util/errors.hpp"

namespace ramify {
namespace {

// Closes a prepared statement on every path out of a scope.
struct Statement {
  sqlite3_stmt* stmt = nullptr;
  ~Statement() { sqlite3_finalize(stmt); }
};

AssignmentState state_from(const std::string& text) {
  for (auto s : {AssignmentState::waiting, AssignmentState::queued, AssignmentState::dispatched,
                 AssignmentState::running, AssignmentState::done, AssignmentState::quarantined,
                 AssignmentState::abandoned})
    if (text == to_string(s)) return s;
  return AssignmentState::queued;
}

std::string column_text(sqlite3_stmt* stmt, int column) {
  const unsigned char* text = sqlite3_column_text(stmt, column);
  return text ? reinterpret_cast<const char*>(text) : "";
}

}  // namespace

std::string job_digest(const JobSpec& spec) {
  // FNV-1a over the entries that decide the partition and the work.
  std::uint64_t hash = 1469598103934665603ULL;
  auto mix = [&](const std::string& text) {
    for (char c : text) {
      hash ^= static_cast<unsigned char>(c);
      hash *= 1099511628211ULL;
    }
    hash ^= 0xff;
    hash *= 1099511628211ULL;
  };
  for (const char* key : {"root", "manifest", "levels", "partition_level", "curator"}) mix(spec.get("job", key));
  for (const char* section : {"exec", "curator"})
    for (const auto& [key, value] : spec.section(section)) mix(std::string(section) + "." + key + "=" + value);
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(hash));
  return text;
}

Journal::Journal(const std::string& path, const std::string& digest) : path_(path) {
  if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                      nullptr) != SQLITE_OK) {
    std::string why = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw ConfigError("cannot open journal " + path + ": " + why);
  }
  sqlite3_busy_timeout(db_, 5000);
  try {
    exec("PRAGMA journal_mode=WAL");
    exec("PRAGMA synchronous=NORMAL");
    exec("CREATE TABLE IF NOT EXISTS run (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
    exec("CREATE TABLE IF NOT EXISTS assignments (id INTEGER PRIMARY KEY, root TEXT NOT NULL, state TEXT NOT NULL,"
         " attempt INTEGER NOT NULL, nodes INTEGER NOT NULL, failures INTEGER NOT NULL, skipped INTEGER NOT NULL)");
  } catch (const WriteError& e) {
    sqlite3_close(db_);
    db_ = nullptr;
    throw ConfigError(std::string(e.what()) + ": the journal is not usable");
  }

  std::map<std::string, std::string> run;
  {
    Statement s;
    sqlite3_prepare_v2(db_, "SELECT key, value FROM run", -1, &s.stmt, nullptr);
    while (sqlite3_step(s.stmt) == SQLITE_ROW) run[column_text(s.stmt, 0)] = column_text(s.stmt, 1);
  }
  if (run.count("digest") && run["digest"] != digest) {
    sqlite3_close(db_);
    db_ = nullptr;
    throw ConfigError("journal " + path + " belongs to a different job (its root, levels or curator differ)");
  }
  if (run.count("run_id")) run_id_ = run["run_id"];
  ended_ = run.count("exit_status") > 0;
  {
    Statement s;
    sqlite3_prepare_v2(db_, "SELECT id, root, state, attempt, nodes, failures, skipped FROM assignments ORDER BY id",
                       -1, &s.stmt, nullptr);
    while (sqlite3_step(s.stmt) == SQLITE_ROW) {
      JournalEntry e;
      e.id = static_cast<std::uint64_t>(sqlite3_column_int64(s.stmt, 0));
      e.root = column_text(s.stmt, 1);
      e.state = state_from(column_text(s.stmt, 2));
      e.attempt = static_cast<std::uint32_t>(sqlite3_column_int64(s.stmt, 3));
      e.nodes = static_cast<std::uint64_t>(sqlite3_column_int64(s.stmt, 4));
      e.failures = static_cast<std::uint64_t>(sqlite3_column_int64(s.stmt, 5));
      e.skipped = static_cast<std::uint64_t>(sqlite3_column_int64(s.stmt, 6));
      entries_.push_back(std::move(e));
    }
  }
  try {
    exec("INSERT OR IGNORE INTO run (key, value) VALUES ('digest', '" + digest + "')");
  } catch (const WriteError& e) {
    sqlite3_close(db_);
    db_ = nullptr;
    throw ConfigError(std::string(e.what()) + ": the journal is not usable");
  }
}

Journal::~Journal() {
  if (db_) sqlite3_close(db_);
}

void Journal::exec(const std::string& sql) {
  char* error = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
    std::string why = error ? error : sqlite3_errmsg(db_);
    sqlite3_free(error);
    throw WriteError("journal " + path_ + ": " + why);
  }
}

void Journal::step(sqlite3_stmt* stmt) {
  if (sqlite3_step(stmt) != SQLITE_DONE) throw WriteError("journal " + path_ + ": " + sqlite3_errmsg(db_));
  sqlite3_reset(stmt);
}

void Journal::in_transaction(const std::function<void()>& body) {
  exec("BEGIN IMMEDIATE");
  try {
    body();
    exec("COMMIT");
  } catch (const WriteError&) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

void Journal::begin_run(const std::string& run_id, const std::vector<AssignmentStatus>& assignments) {
  in_transaction([&] {
    exec("INSERT OR REPLACE INTO run (key, value) VALUES ('run_id', '" + run_id + "')");
    exec("DELETE FROM run WHERE key = 'exit_status'");
    Statement s;
    sqlite3_prepare_v2(db_,
                       "INSERT OR IGNORE INTO assignments (id, root, state, attempt, nodes, failures, skipped)"
                       " VALUES (?, ?, 'queued', 0, 0, 0, 0)",
                       -1, &s.stmt, nullptr);
    for (const auto& a : assignments) {
      sqlite3_bind_int64(s.stmt, 1, static_cast<sqlite3_int64>(a.spec.id));
      sqlite3_bind_text(s.stmt, 2, a.spec.root.id.data(), static_cast<int>(a.spec.root.id.size()), SQLITE_TRANSIENT);
      step(s.stmt);
    }
  });
  run_id_ = run_id;
  ended_ = false;
}

void Journal::record(const std::vector<const AssignmentStatus*>& changed) {
  if (changed.empty()) return;
  in_transaction([&] {
    Statement s;
    sqlite3_prepare_v2(db_,
                       "UPDATE assignments SET state = ?, attempt = ?, nodes = ?, failures = ?, skipped = ?"
                       " WHERE id = ?",
                       -1, &s.stmt, nullptr);
    for (const AssignmentStatus* a : changed) {
      const char* state = to_string(a->state);
      sqlite3_bind_text(s.stmt, 1, state, -1, SQLITE_STATIC);
      sqlite3_bind_int64(s.stmt, 2, a->attempt);
      sqlite3_bind_int64(s.stmt, 3, static_cast<sqlite3_int64>(a->nodes));
      sqlite3_bind_int64(s.stmt, 4, static_cast<sqlite3_int64>(a->failures));
      sqlite3_bind_int64(s.stmt, 5, static_cast<sqlite3_int64>(a->skipped));
      sqlite3_bind_int64(s.stmt, 6, static_cast<sqlite3_int64>(a->spec.id));
      step(s.stmt);
    }
  });
}

void Journal::end_run(int exit_status) {
  exec("INSERT OR REPLACE INTO run (key, value) VALUES ('exit_status', '" + std::to_string(exit_status) + "')");
  ended_ = true;
}

std::vector<RestoredAssignment> restore_from(const Journal& journal, const std::vector<AssignmentSpec>& specs,
                                             bool same_run) {
  std::vector<RestoredAssignment> restored;
  for (const JournalEntry& e : journal.entries()) {
    if (e.id >= specs.size() || specs[e.id].root.id != e.root)
      throw ConfigError("journal " + journal.path() +
                        " does not match the hierarchy any more (assignment " + std::to_string(e.id) +
                        " was '" + e.root + "'); use a new journal");
    RestoredAssignment r;
    r.id = e.id;
    if (same_run) {
      r.done = e.state == AssignmentState::done;
      r.attempt = e.attempt;
    } else {
      // A finished run's clean assignments are skipped; everything else runs again.
      r.done = e.state == AssignmentState::done && e.failures == 0;
      r.earlier_run = r.done;
    }
    r.nodes = e.nodes;
    r.failures = e.failures;
    r.skipped = e.skipped;
    restored.push_back(r);
  }
  if (!journal.entries().empty() && journal.entries().size() != specs.size())
    throw ConfigError("journal " + journal.path() + " has " + std::to_string(journal.entries().size()) +
                      " assignments, the hierarchy now gives " + std::to_string(specs.size()) + "; use a new journal");
  return restored;
}

}  // namespace ramify
