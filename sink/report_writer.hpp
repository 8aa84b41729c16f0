#pragma once
// Writes report rows to a JSON Lines file as they arrive.

#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "common/json_reader.hpp"
#include "common/log_record.hpp"
#include "common/messages.hpp"

namespace ramify {

class ReportWriter {
 public:
  // What to do with an existing report: refuse it (ConfigError), replace it,
  // or continue it (a restarted sink: its rows are read back first).
  enum class Existing { refuse, replace, append };
  using RowHandler = std::function<void(const JsonValue& row)>;

  // Opens `path`. With `append`, each complete row already there is handed to
  // `on_existing_row`, and a last line cut short by a crash is dropped.
  ReportWriter(std::string path, Existing existing, const RowHandler& on_existing_row = {});
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
