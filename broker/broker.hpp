#pragma once
// The broker daemon: partitions the hierarchy, hands assignments to workers
// (ROUTER, so that each goes to a worker with a free slot), collects their
// results, serves the job spec (REP), publishes heartbeat / kill / finish
// (PUB), and returns the run's exit status once the sink has the report.

#include <zmq.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>

#include "broker/progress.hpp"
#include "broker/scheduler.hpp"
#include "common/address.hpp"
#include "common/job_spec.hpp"

namespace ramify {

struct BrokerOptions {
  JobSpec spec;
  std::string bind = "*";  // "HOST", "HOST:PORT_BASE" or "ipc://PREFIX"
  // After the run, how long to wait for the workers' goodbyes and for the
  // sink's confirmation that the report is written (0: do not wait for a sink).
  std::chrono::milliseconds workers_timeout{5000};
  std::chrono::milliseconds report_timeout{30000};
  std::string keys;            // CURVE keys folder ("" = the spec's [job] keys, else none)
  bool require_auth = false;   // refuse to start without keys (also [job] require_auth)
  Progress::Mode progress = Progress::Mode::off;
  std::chrono::milliseconds progress_interval{5000};  // plain lines; a terminal line is redrawn every 0.2 s
};

class Broker {
 public:
  // Loads the hierarchy, partitions it and binds the sockets.
  // Throws ConfigError or SourceError (exit status 2).
  explicit Broker(BrokerOptions options);
  ~Broker();

  // Runs to the end of the run; returns 0 (every node ok) or 1.
  int run();
  // Aborts the run from another thread or a signal handler.
  void request_stop() { stop_requested_ = true; }

  const std::string& run_id() const;
  std::size_t assignment_count() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::atomic<bool> stop_requested_{false};
};

}  // namespace ramify
