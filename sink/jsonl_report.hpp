#pragma once
// The report as JSON Lines: one row per line.

#include "sink/locked_file.hpp"
#include "sink/report_file.hpp"
#include "sink/report_writer.hpp"

namespace ramify {

class JsonlReport : public ReportFile {
 public:
  JsonlReport(std::string path, ExistingReport existing, const ExistingRowHandler& on_existing_row);
  // Hands every complete row of the JSON Lines report at `path` to `each`,
  // opening nothing for writing. Throws ConfigError.
  static void read(const std::string& path, const ExistingRowHandler& each);
  // Flushes what it can; the file keeps whole rows only. Errors go unreported:
  // call finish() to learn of them.
  ~JsonlReport() override;
  JsonlReport(const JsonlReport&) = delete;
  JsonlReport& operator=(const JsonlReport&) = delete;

  void write(const ReportRow& row) override;
  bool takes_json_lines() const override { return true; }
  void write_json_line(std::string_view line) override { writer_.append_row(line); }
  void flush() override;
  void finish() override;
  std::uint64_t drop_outcomes(const std::vector<AssignmentRef>& attempts) override;
  std::uint64_t rows() const override { return writer_.rows(); }
  const std::string& path() const override { return path_; }

 private:
  std::string path_;
  LockedFile file_;
  ReportWriter writer_;
  std::string line_;  // the row being written, reused
};

}  // namespace ramify
