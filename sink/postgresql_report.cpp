#include "sink/postgresql_report.hpp"

#include <memory>

#include "sink/report_row.hpp"
#include "util/errors.hpp"
#include "util/json_text.hpp"

namespace ramify {

namespace {

constexpr std::size_t kRowsPerInsert = 500;
constexpr int kColumnCount = 18;  // status first, then the 17 both tables share

// The columns as inserted (status first: the logs table takes it as null).
const char* kInsertColumns =
    "container_type, container_id, label, err, msg, resolved, search_key, severity, ts, worker, seq, assignment,"
    " attempt, run, results, started, seconds";
// The same, read back in the forms the other formats write.
const char* kSelectColumns =
    "container_type, container_id, label, err, msg, resolved, search_key, severity,"
    " to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), worker, seq, assignment, attempt, run,"
    " results::text, to_char(started AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), seconds";
const char* kTableColumns =
    "container_type text, container_id text, label text, err text, msg text, resolved boolean, search_key text,"
    " severity text, ts timestamptz, worker text, seq bigint, assignment bigint, attempt integer, run text,"
    " results json, started timestamptz, seconds double precision";

struct Result {
  PGresult* result;
  explicit Result(PGresult* r) : result(r) {}
  ~Result() { PQclear(result); }
  Result(const Result&) = delete;
  Result& operator=(const Result&) = delete;
  bool ok() const {
    const auto status = PQresultStatus(result);
    return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
  }
  std::string text(int row, int column) const {
    return PQgetisnull(result, row, column) ? std::string() : std::string(PQgetvalue(result, row, column));
  }
};

std::string server_error(PGconn* db) {
  // One line: libpq's messages come in several ("...\n\tIs the server running...").
  std::string why;
  for (const char* c = PQerrorMessage(db); *c; ++c) {
    const bool space = *c == '\n' || *c == '\t';
    if (space && (why.empty() || why.back() == ' ')) continue;
    why += space ? ' ' : *c;
  }
  while (!why.empty() && why.back() == ' ') why.pop_back();
  return why;
}

// Valid UTF-8 as it is; each other byte as \xHH (PostgreSQL's text takes UTF-8 only).
std::string utf8_text(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (std::size_t i = 0; i < bytes.size();) {
    const auto c = static_cast<unsigned char>(bytes[i]);
    std::size_t length = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
    bool valid = length > 0 && i + length <= bytes.size() && c != 0;
    for (std::size_t k = 1; valid && k < length; ++k) valid = (static_cast<unsigned char>(bytes[i + k]) & 0xc0) == 0x80;
    if (valid && length > 1) {  // no overlong forms, no surrogates, nothing past U+10FFFF
      std::uint32_t point = c & (0x7f >> length);
      for (std::size_t k = 1; k < length; ++k) point = (point << 6) | (static_cast<unsigned char>(bytes[i + k]) & 0x3f);
      valid = point >= (length == 2   ? 0x80u
                        : length == 3 ? 0x800u
                                      : 0x10000u) &&
              (point < 0xd800 || point > 0xdfff) && point <= 0x10ffff;
    }
    if (valid) {
      out.append(bytes.substr(i, length));
      i += length;
    } else {
      static const char* hex = "0123456789abcdef";
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 0xf];
      ++i;
    }
  }
  return out;
}

bool valid_table_name(const std::string& name) {
  if (name.empty() || name.size() > 48 || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  for (char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  return true;
}

// Connects with a deadline, or throws ConfigError naming the address shown.
PGconn* connect(const PostgresqlAddress& address) {
  // Deadlines the address does not set itself: connecting, and a server that
  // stops answering on TCP (statement_timeout below only holds while it answers).
  std::string conninfo = address.conninfo;
  for (const char* deadline : {"connect_timeout=10", "tcp_user_timeout=60000", "keepalives_idle=30"}) {
    const std::string name = std::string(deadline).substr(0, std::string(deadline).find('=') + 1);
    if (conninfo.find(name) != std::string::npos) continue;
    conninfo += (conninfo.find('?') == std::string::npos ? "?" : "&") + std::string(deadline);
  }
  PGconn* db = PQconnectdb(conninfo.c_str());
  if (!db) throw ConfigError("report " + address.shown + ": cannot connect: out of memory");
  if (PQstatus(db) != CONNECTION_OK) {
    const std::string why = server_error(db);
    PQfinish(db);
    throw ConfigError("report " + address.shown + ": cannot connect: " + why);
  }
  // Every statement has a deadline; a commit is on the server's disk before it returns.
  Result set(PQexec(db,
                    "SET statement_timeout = '60s'; SET synchronous_commit = on; SET client_encoding = 'UTF8';"
                    " SET client_min_messages = warning"));
  if (!set.ok()) {
    const std::string why = server_error(db);
    PQfinish(db);
    throw ConfigError("report " + address.shown + ": " + why);
  }
  return db;
}

void read_rows(PGconn* db, const PostgresqlAddress& address, const ExistingRowHandler& each) {
  for (const char* kind : {"outcomes", "logs"}) {
    const bool outcomes = std::string(kind) == "outcomes";
    const std::string sql = std::string("SELECT ") + kSelectColumns + (outcomes ? ", status" : "") + " FROM " +
                            address.table + "_" + kind + " ORDER BY worker, seq";
    Result rows(PQexec(db, sql.c_str()));
    if (!rows.ok()) throw ConfigError("report " + address.shown + ": " + server_error(db));
    for (int i = 0; i < PQntuples(rows.result); ++i) {
      ReportRow row;
      LogRecord& r = row.record;
      r.kind = outcomes ? RecordKind::outcome : RecordKind::log;
      r.container_type = rows.text(i, 0);
      r.container_id = rows.text(i, 1);
      r.label = rows.text(i, 2);
      r.err = rows.text(i, 3);
      r.msg = rows.text(i, 4);
      r.resolved = rows.text(i, 5) == "t";
      r.search_key = rows.text(i, 6);
      r.severity = severity_named(rows.text(i, 7));
      r.ts_us = parse_iso8601_utc(rows.text(i, 8));
      row.worker = rows.text(i, 9);
      row.seq = std::stoull(rows.text(i, 10));
      r.assignment = std::stoull(rows.text(i, 11));
      r.attempt = static_cast<std::uint32_t>(std::stoul(rows.text(i, 12)));
      row.run = rows.text(i, 13);
      try {
        r.fields = results_from_json(rows.text(i, 14));
      } catch (const DecodeError& e) {
        throw ConfigError("report " + address.shown + ": " + e.what());
      }
      set_timing(r, rows.text(i, 15), rows.text(i, 16));
      if (outcomes) r.status = status_named(rows.text(i, 17));
      each(row);
    }
  }
}

}  // namespace

bool is_postgresql_address(const std::string& report) {
  return report.rfind("postgresql://", 0) == 0 || report.rfind("postgres://", 0) == 0;
}

PostgresqlAddress parse_postgresql_address(const std::string& report) {
  PostgresqlAddress address;
  const auto query = report.find('?');
  address.conninfo = report.substr(0, query);
  if (query != std::string::npos) {
    std::string kept;
    std::size_t start = query + 1;
    while (start <= report.size()) {
      const auto end = std::min(report.find('&', start), report.size());
      const std::string parameter = report.substr(start, end - start);
      if (parameter.rfind("table=", 0) == 0) {
        address.table = parameter.substr(6);
      } else if (!parameter.empty()) {
        kept += (kept.empty() ? "?" : "&") + parameter;
      }
      start = end + 1;
    }
    address.conninfo += kept;
  }
  // Shown without its password: postgresql://USER:PASSWORD@... -> postgresql://USER:***@...
  address.shown = report;
  const auto scheme = report.find("://") + 3;
  const auto at = report.find('@', scheme);
  const auto colon = report.find(':', scheme);
  if (at != std::string::npos && colon != std::string::npos && colon < at)
    address.shown = report.substr(0, colon + 1) + "***" + report.substr(at);
  const auto password = address.shown.find("password=");
  if (password != std::string::npos) {
    const auto end = std::min(address.shown.find('&', password), address.shown.size());
    address.shown.replace(password + 9, end - password - 9, "***");
  }
  if (!valid_table_name(address.table))
    throw ConfigError("report " + address.shown + ": table '" + address.table +
                      "' must be letters, digits and _ (not first a digit), at most 48");
  return address;
}

PostgresqlReport::PostgresqlReport(const std::string& report, ExistingReport existing,
                                   const ExistingRowHandler& on_existing_row)
    : address_(parse_postgresql_address(report)), db_(connect(address_)) {
  const auto refuse = [&](const std::string& why) {
    PQfinish(db_);
    db_ = nullptr;
    throw ConfigError("report " + address_.shown + ": " + why);
  };
  const std::string& t = address_.table;
  // One sink at a time: a lock of this session, on the table's name.
  const char* name[] = {t.c_str()};
  Result locked(PQexecParams(db_, "SELECT pg_try_advisory_lock(hashtext('ramify report ' || $1))", 1, nullptr, name,
                             nullptr, nullptr, 0));
  if (!locked.ok()) refuse(server_error(db_));
  if (locked.text(0, 0) != "t") refuse("is being written by another sink (table " + t + ")");
  const std::string create = "CREATE TABLE IF NOT EXISTS " + t + "_outcomes (status text, " + kTableColumns +
                             "); CREATE TABLE IF NOT EXISTS " + t + "_logs (" + kTableColumns +
                             "); CREATE INDEX IF NOT EXISTS " + t + "_outcomes_container_id ON " + t +
                             "_outcomes (container_id); CREATE INDEX IF NOT EXISTS " + t + "_logs_container_id ON " +
                             t + "_logs (container_id)";
  Result created(PQexec(db_, create.c_str()));
  if (!created.ok()) refuse("cannot create its tables: " + server_error(db_));
  Result count(PQexec(
      db_, ("SELECT (SELECT count(*) FROM " + t + "_outcomes) + (SELECT count(*) FROM " + t + "_logs)").c_str()));
  if (!count.ok()) refuse(server_error(db_));
  const std::uint64_t rows = std::stoull(count.text(0, 0));
  if (rows > 0 && existing == ExistingReport::refuse)
    refuse("already exists (" + std::to_string(rows) + " rows in table " + t +
           "; use --force to replace it, or --append to continue it)");
  if (rows > 0 && existing == ExistingReport::replace) {
    Result emptied(PQexec(db_, ("TRUNCATE " + t + "_outcomes, " + t + "_logs").c_str()));
    if (!emptied.ok()) refuse("cannot empty it: " + server_error(db_));
  } else if (rows > 0) {
    committed_ = rows;
    if (on_existing_row) read_rows(db_, address_, on_existing_row);
  }
}

PostgresqlReport::~PostgresqlReport() {
  try {
    flush();
  } catch (const WriteError&) {
    // finish() is where a caller hears of it
  }
  if (db_) PQfinish(db_);  // the advisory lock goes with the session
}

void PostgresqlReport::read(const std::string& report, const ExistingRowHandler& each) {
  const PostgresqlAddress address = parse_postgresql_address(report);
  std::unique_ptr<PGconn, void (*)(PGconn*)> db(connect(address), PQfinish);
  read_rows(db.get(), address, each);
}

void PostgresqlReport::fail(const std::string& why) {
  if (error_.empty()) error_ = report_write_failure(address_.shown, why, committed_);
  throw WriteError(error_);
}

void PostgresqlReport::throw_if_failed() const {
  if (!error_.empty()) throw WriteError(error_);
}

void PostgresqlReport::write(const ReportRow& row) {
  throw_if_failed();
  pending_.push_back(row);
}

void PostgresqlReport::flush() {
  throw_if_failed();
  if (pending_.empty()) return;
  Result begin(PQexec(db_, "BEGIN"));
  if (!begin.ok()) fail(server_error(db_));
  char ts[40], started[40];
  for (const char* kind : {"outcomes", "logs"}) {
    const bool outcomes = std::string(kind) == "outcomes";
    std::vector<const ReportRow*> rows;
    for (const ReportRow& row : pending_)
      if ((row.record.kind == RecordKind::outcome) == outcomes) rows.push_back(&row);
    for (std::size_t first = 0; first < rows.size(); first += kRowsPerInsert) {
      const std::size_t n = std::min(kRowsPerInsert, rows.size() - first);
      std::string sql = "INSERT INTO " + address_.table + "_" + kind + " (status, " + kInsertColumns + ") VALUES ";
      std::vector<std::string> values;
      values.reserve(n * kColumnCount);
      std::vector<const char*> parameters;
      parameters.reserve(n * kColumnCount);
      for (std::size_t i = 0; i < n; ++i) {
        const ReportRow& row = *rows[first + i];
        const LogRecord& r = row.record;
        const bool timed = outcomes && r.start_us > 0;
        values.insert(
            values.end(),
            {outcomes ? to_string(r.status) : "", utf8_text(r.container_type), utf8_text(r.container_id),
             utf8_text(r.label), utf8_text(r.err), utf8_text(r.msg), r.resolved ? "t" : "f", utf8_text(r.search_key),
             to_string(r.severity), std::string(format_iso8601_utc(r.ts_us, ts)), utf8_text(row.worker),
             std::to_string(row.seq), std::to_string(r.assignment), std::to_string(r.attempt), utf8_text(row.run),
             r.fields.empty() ? "" : results_json(r), timed ? std::string(format_iso8601_utc(r.start_us, started)) : "",
             timed ? seconds_text(r) : ""});
        sql += i == 0 ? "(" : ",(";
        for (int c = 0; c < kColumnCount; ++c)
          sql += (c == 0 ? "$" : ",$") + std::to_string(i * kColumnCount + static_cast<std::size_t>(c) + 1);
        sql += ')';
      }
      // Empty text is null where a column has no value (status of a log row, results, timing).
      for (std::size_t v = 0; v < values.size(); ++v) {
        const std::size_t column = v % kColumnCount;
        const bool nullable = column == 0 || column >= 15;
        parameters.push_back(nullable && values[v].empty() ? nullptr : values[v].c_str());
      }
      Result inserted(PQexecParams(db_, sql.c_str(), static_cast<int>(parameters.size()), nullptr, parameters.data(),
                                   nullptr, nullptr, 0));
      if (!inserted.ok()) {
        const std::string why = server_error(db_);
        Result rollback(PQexec(db_, "ROLLBACK"));
        fail(why);
      }
    }
  }
  Result commit(PQexec(db_, "COMMIT"));
  if (!commit.ok()) fail(server_error(db_));
  committed_ += pending_.size();
  pending_.clear();
}

void PostgresqlReport::finish() { flush(); }

std::uint64_t PostgresqlReport::drop_outcomes(const std::vector<AssignmentRef>& attempts) {
  flush();
  if (attempts.empty()) return 0;
  std::string sql = "DELETE FROM " + address_.table + "_outcomes WHERE (assignment, attempt) IN (";
  for (std::size_t i = 0; i < attempts.size(); ++i)
    sql += (i ? ",(" : "(") + std::to_string(attempts[i].id) + "," + std::to_string(attempts[i].attempt) + ")";
  sql += ")";
  Result deleted(PQexec(db_, sql.c_str()));  // one statement: one transaction
  if (!deleted.ok()) throw WriteError(report_compaction_failure(address_.shown, attempts.size(), server_error(db_)));
  const std::uint64_t removed = std::stoull(PQcmdTuples(deleted.result));
  committed_ -= std::min(committed_, removed);
  return removed;
}

}  // namespace ramify
