#pragma once
// The report in PostgreSQL: `--report postgresql://[USER[:PASSWORD]@][HOST][:PORT]/DB[?PARAMS]`
// (libpq's connection URI; `host=/run/postgresql` in PARAMS for a Unix
// socket) plus `table=NAME` (default `ramify`): the tables NAME_outcomes and
// NAME_logs, with the SQLite report's columns in PostgreSQL's types (ts and
// started timestamptz, seconds double precision, results json).
//
// The same guarantees as the SQLite report: flush() commits (synchronous
// commit), so a row is acknowledged only once the server has it;
// drop_outcomes deletes in one transaction; one sink at a time (a session
// advisory lock on the table's name, held while the object lives); existing
// rows are refused, removed (replace) or handed over (append). Every call has
// a deadline: 10 s to connect, 60 s per statement. Text that is not UTF-8
// (a file name in another encoding) is stored with each such byte as \xHH.

#include <libpq-fe.h>

#include <string>
#include <vector>

#include "sink/report_file.hpp"

namespace ramify {

// A report address split: what libpq connects with, the table, and the
// address as it may be shown (its password hidden).
struct PostgresqlAddress {
  std::string conninfo;
  std::string table = "ramify";
  std::string shown;
};
bool is_postgresql_address(const std::string& report);
// Throws ConfigError: a table name that is not [A-Za-z_][A-Za-z0-9_]* (up to 48).
PostgresqlAddress parse_postgresql_address(const std::string& report);

class PostgresqlReport : public ReportFile {
 public:
  // Connects, locks, creates the tables if they are missing. Throws
  // ConfigError (the server cannot be reached, refuses, another sink holds
  // the table, rows exist and `existing` is refuse).
  PostgresqlReport(const std::string& address, ExistingReport existing, const ExistingRowHandler& on_existing_row);
  ~PostgresqlReport() override;
  PostgresqlReport(const PostgresqlReport&) = delete;
  PostgresqlReport& operator=(const PostgresqlReport&) = delete;

  // Every row of the report at `address`, outcomes first. Throws ConfigError.
  static void read(const std::string& address, const ExistingRowHandler& each);

  void write(const ReportRow& row) override;
  void flush() override;
  void finish() override;
  std::uint64_t drop_outcomes(const std::vector<AssignmentRef>& attempts) override;
  std::uint64_t rows() const override { return committed_ + pending_.size(); }
  const std::string& path() const override { return address_.shown; }

 private:
  void fail(const std::string& why);
  void throw_if_failed() const;

  PostgresqlAddress address_;
  PGconn* db_ = nullptr;
  std::vector<ReportRow> pending_;  // written, not yet committed
  std::uint64_t committed_ = 0;
  std::string error_;  // the first failure: every later call throws it again
};

}  // namespace ramify
