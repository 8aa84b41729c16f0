#pragma once
// The log sink daemon: receives log batches from every worker, drops
// duplicates by (worker, seq), writes the report, prints human-readable
// lines, acknowledges what it has to each worker, republishes rows for
// tailers, and at the broker's finish prints the run summary and confirms
// the report to the broker.

#include <atomic>
#include <chrono>
#include <memory>
#include <string>

namespace ramify {

struct SinkOptions {
  std::string bind = "*";  // "HOST", "HOST:PORT_BASE" or "ipc://PREFIX"
  std::string broker;      // the broker's address; "" = run until stopped
  std::string report;      // JSON Lines report; "" = none
  bool force = false;      // replace an existing report
  bool append = false;     // continue an existing report (a restarted sink)
  bool quiet = false;      // no line per log row on standard error
  bool colour = false;
  std::chrono::milliseconds drain_timeout{10000};  // after finish, wait this long for missing rows
  std::string keys;           // CURVE keys folder ("" = none)
  bool require_auth = false;  // refuse to start without keys
};

class Sink {
 public:
  // Opens the report and binds; throws ConfigError.
  explicit Sink(SinkOptions options);
  ~Sink();
  // 0 when the report is complete, 1 when log rows were lost.
  int run();
  void request_stop() { stop_requested_ = true; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::atomic<bool> stop_requested_{false};
};

}  // namespace ramify
