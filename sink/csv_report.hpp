#pragma once
// The report as CSV. The first columns are those of the Python
// HierarchyCurator report (container_type, container_id, label, err, msg,
// resolved, search_key), so existing scripts keep working; ramify's own follow.

#include "sink/locked_file.hpp"
#include "sink/report_file.hpp"
#include "sink/report_writer.hpp"

namespace ramify {

class CsvReport : public ReportFile {
 public:
  static const std::vector<std::string>& columns();
  // Hands every complete row of the CSV report at `path` to `each`, opening
  // nothing for writing. Throws ConfigError (unreadable, not ramify's columns).
  static void read(const std::string& path, const ExistingRowHandler& each);

  CsvReport(std::string path, ExistingReport existing, const ExistingRowHandler& on_existing_row);
  // Flushes what it can; the file keeps whole rows only. Errors go unreported:
  // call finish() to learn of them.
  ~CsvReport() override;
  CsvReport(const CsvReport&) = delete;
  CsvReport& operator=(const CsvReport&) = delete;

  void write(const ReportRow& row) override;
  void flush() override;
  void finish() override;
  std::uint64_t drop_outcomes(const std::vector<AssignmentRef>& attempts) override;
  std::uint64_t rows() const override { return writer_.rows(); }
  const std::string& path() const override { return path_; }

 private:
  // Reads every complete record after the header; returns the bytes they span.
  static std::uint64_t read_rows(const std::string& path,
                                 const std::function<void(const std::vector<std::string>&, std::string_view raw)>& each);

  std::string path_;
  LockedFile file_;
  ReportWriter writer_;
  std::string line_;  // the row being written, reused
};

}  // namespace ramify
