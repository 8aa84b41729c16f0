#pragma once
// The report as CSV. The first columns are those of the Python
// HierarchyCurator report (container_type, container_id, label, err, msg,
// resolved, search_key), so existing scripts keep working; ramify's own follow.

#include <cstdio>

#include "sink/report_file.hpp"

namespace ramify {

class CsvReport : public ReportFile {
 public:
  static const std::vector<std::string>& columns();

  CsvReport(std::string path, ExistingReport existing, const ExistingRowHandler& on_existing_row);
  ~CsvReport() override;
  CsvReport(const CsvReport&) = delete;
  CsvReport& operator=(const CsvReport&) = delete;

  void write(const ReportRow& row) override;
  void flush() override;
  std::uint64_t drop_outcomes(const std::vector<AssignmentRef>& attempts) override;
  const std::string& path() const override { return path_; }

 private:
  // Reads every complete record after the header; returns the bytes they span.
  std::uint64_t read_rows(const std::function<void(const std::vector<std::string>&, std::string_view raw)>& each);

  std::string path_;
  std::FILE* file_ = nullptr;
};

}  // namespace ramify
