#pragma once
// The report as JSON Lines: one row per line.

#include <cstdio>

#include "sink/report_file.hpp"

namespace ramify {

class JsonlReport : public ReportFile {
 public:
  JsonlReport(std::string path, ExistingReport existing, const ExistingRowHandler& on_existing_row);
  ~JsonlReport() override;
  JsonlReport(const JsonlReport&) = delete;
  JsonlReport& operator=(const JsonlReport&) = delete;

  void write(const ReportRow& row) override;
  void flush() override;
  std::uint64_t drop_outcomes(const std::vector<AssignmentRef>& attempts) override;
  const std::string& path() const override { return path_; }

 private:
  std::string path_;
  std::FILE* file_ = nullptr;
  std::string line_;  // the row being written, reused
};

}  // namespace ramify
