#pragma once
// The log sink daemon: receives log batches from every worker, drops
// duplicates by (worker, seq), writes the report (JSON Lines, CSV or SQLite),
// prints human-readable lines, acknowledges to each worker what the report
// holds, republishes rows for tailers, and at the broker's finish makes the
// report durable, prints the run summary and confirms the report to the
// broker. A report that cannot be written stops the acknowledgements and,
// through the broker, the run; it never ends as "complete".

#include <chrono>
#include <memory>
#include <string>

#include "util/stop_request.hpp"

namespace zmq {
class context_t;
}

namespace ramify {

struct SinkOptions {
  std::string bind = "*";  // "HOST", "HOST:PORT_BASE" or "ipc://PREFIX"
  std::string broker;      // the broker's address; "" = run until stopped
  std::string report;      // the report (.jsonl, .csv, .db); "" = none
  bool force = false;      // replace an existing report
  bool append = false;     // continue an existing report (a restarted sink)
  std::string state;       // the job's state store ([job] state; "" = none)
  bool quiet = false;      // no line per log row on standard error
  bool colour = false;
  std::chrono::milliseconds drain_timeout{10000};  // after finish (or a stop), wait this long for missing rows
  std::chrono::milliseconds broker_wait{60000};    // a broker silent this long ends the sink (exit 1)
  std::string keys;           // CURVE keys folder ("" = none)
  bool require_auth = false;  // refuse to start without keys
  std::string metrics;        // Prometheus metrics on HOST:PORT ("" = none)
  // A context shared with the other daemons of this process (inproc://
  // endpoints, tests); null: the sink has its own.
  zmq::context_t* context = nullptr;
};

class Sink {
 public:
  // Opens and locks the report, and binds; throws ConfigError.
  explicit Sink(SinkOptions options);
  ~Sink();
  // 0 when the run succeeded and its report is complete and durable; 1 when
  // the run failed or the report is incomplete (rows lost, a write error, a
  // broker gone); 128 + N when signal N stopped it before the run ended.
  int run();
  // From another thread or a signal handler. With a broker, the first call
  // waits (up to the drain timeout) for the run's end, so that the report is
  // consistent; a second one concludes at once.
  void request_stop(int signal = SIGTERM) { stop_.request(signal); }

 private:
  struct Impl;
  StopRequest stop_;  // before impl_, which refers to it
  std::unique_ptr<Impl> impl_;
};

}  // namespace ramify
