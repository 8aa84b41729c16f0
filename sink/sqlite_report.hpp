#pragma once
// The report as an SQLite database: table `outcomes` (one row per curated
// node) and table `logs`, both indexed by container_id. Rows are inserted in
// a transaction that flush() commits, so the sink acknowledges only what is
// committed.

#include "sink/report_file.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace ramify {

class SqliteReport : public ReportFile {
 public:
  SqliteReport(std::string path, ExistingReport existing, const ExistingRowHandler& on_existing_row);
  ~SqliteReport() override;
  SqliteReport(const SqliteReport&) = delete;
  SqliteReport& operator=(const SqliteReport&) = delete;

  void write(const ReportRow& row) override;
  void flush() override;
  std::uint64_t drop_outcomes(const std::vector<AssignmentRef>& attempts) override;
  const std::string& path() const override { return path_; }

 private:
  void exec(const char* sql);
  void begin();
  sqlite3_stmt* prepare(const char* sql);

  std::string path_;
  sqlite3* db_ = nullptr;
  sqlite3_stmt* insert_outcome_ = nullptr;
  sqlite3_stmt* insert_log_ = nullptr;
  bool in_transaction_ = false;
};

}  // namespace ramify
