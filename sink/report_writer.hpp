#pragma once
// Writes report rows to a JSON Lines file as they arrive.

#include <cstdio>
#include <string>
#include <vector>

#include "common/log_record.hpp"
#include "common/messages.hpp"

namespace ramify {

class ReportWriter {
 public:
  // Creates `path`. An existing file is refused (ConfigError) unless `force`.
  ReportWriter(std::string path, bool force);
  ~ReportWriter();
  ReportWriter(const ReportWriter&) = delete;
  ReportWriter& operator=(const ReportWriter&) = delete;

  void write(const std::string& worker, std::uint64_t seq, const LogRecord& record);
  // Hands buffered rows to the operating system (before the sink acknowledges them).
  void flush();
  // Removes the outcome rows of these attempts (they were run again elsewhere,
  // so each node keeps exactly one outcome). Returns the number of rows removed.
  std::uint64_t drop_outcomes(const std::vector<AssignmentRef>& attempts);
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::FILE* file_ = nullptr;
};

}  // namespace ramify
