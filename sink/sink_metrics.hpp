#pragma once
// The sink's Prometheus metrics (`ramify sink --metrics HOST:PORT`), counted
// from the rows it writes: nodes curated by level and status, their
// durations by level, bytes hashed (checksum's `bytes`), records written and
// lost. An attempt that was run again counts again here, although its rows
// leave the report at its end.

#include <memory>
#include <string>

namespace ramify {

struct LogRecord;

class SinkMetrics {
 public:
  // Serves on `bind` (HOST:PORT); throws ConfigError when it cannot.
  explicit SinkMetrics(const std::string& bind);
  ~SinkMetrics();

  const std::string& url() const;
  // A row the report now holds.
  void written(const LogRecord& record);
  // Records that never arrived (known at the run's end).
  void lost(std::uint64_t records);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ramify
