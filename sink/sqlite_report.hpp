#pragma once
// The report as an SQLite database: table `outcomes` (one row per curated
// node) and table `logs`, both indexed by container_id. Rows are inserted in
// a transaction that flush() commits, so the sink acknowledges only what is
// committed; a failed write rolls the open transaction back, so the database
// holds the committed rows only. finish() checkpoints the write-ahead log
// into the main file.
//
// The lock (see LockedFile) is on a descriptor of the database file that
// stays open until SQLite has closed the database: closing it earlier would
// drop SQLite's own fcntl locks.

#include "sink/locked_file.hpp"
#include "sink/report_file.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace ramify {

class SqliteReport : public ReportFile {
 public:
  SqliteReport(std::string path, ExistingReport existing, const ExistingRowHandler& on_existing_row);
  // Hands every row of the SQLite report at `path` to `each` (outcomes, then
  // logs), opened read-only. Throws ConfigError.
  static void read(const std::string& path, const ExistingRowHandler& each);
  // Commits what it can. Errors go unreported: call finish() to learn of them.
  ~SqliteReport() override;
  SqliteReport(const SqliteReport&) = delete;
  SqliteReport& operator=(const SqliteReport&) = delete;

  void write(const ReportRow& row) override;
  void flush() override;
  void finish() override;
  std::uint64_t drop_outcomes(const std::vector<AssignmentRef>& attempts) override;
  std::uint64_t rows() const override { return committed_rows_ + pending_rows_; }
  const std::string& path() const override { return path_; }

 private:
  int exec(const char* sql);  // returns SQLite's result code
  void begin();
  sqlite3_stmt* prepare(const char* sql);
  void close();
  // The cause of the last failure of SQLite (`code`), in strerror's words
  // when it comes from the system.
  std::string why(int code) const;
  // Rolls back the open transaction, remembers the failure and throws it.
  [[noreturn]] void fail(int code);
  [[noreturn]] void fail(const std::string& why);
  void throw_if_failed() const;

  std::string path_;
  LockedFile file_;  // before db_: released after SQLite closed the database
  sqlite3* db_ = nullptr;
  sqlite3_stmt* insert_outcome_ = nullptr;
  sqlite3_stmt* insert_log_ = nullptr;
  bool in_transaction_ = false;
  std::uint64_t committed_rows_ = 0;
  std::uint64_t pending_rows_ = 0;
  std::string failure_;
};

}  // namespace ramify
