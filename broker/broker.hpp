#pragma once
// The broker daemon: partitions the hierarchy, hands assignments to workers
// (ROUTER, so that each goes to a worker with a free slot), collects their
// results, serves the job spec (REP), publishes heartbeat / kill / finish
// (PUB), and returns the run's exit status once the sink has the report.
//
// Exit 0 only when the run succeeded and a sink confirmed that its report is
// complete and durable; nothing is dispatched before a sink has joined.

#include <chrono>
#include <memory>
#include <string>

#include "broker/progress.hpp"
#include "spec/job_spec.hpp"
#include "util/stop_request.hpp"

namespace zmq {
class context_t;
}

namespace ramify {

struct BrokerOptions {
  JobSpec spec;
  std::string bind = "*";  // "HOST", "HOST:PORT_BASE" or "ipc://PREFIX"
  // After the run, how long to wait for the workers' goodbyes (counted again
  // from each acknowledgement of a worker's records that its heartbeat
  // reports) and for the sink's confirmation that the report is complete.
  std::chrono::milliseconds workers_timeout{5000};
  std::chrono::milliseconds report_timeout{30000};
  // How long to wait at the start for a sink to join before the run fails.
  std::chrono::milliseconds sink_timeout{60000};
  bool no_sink = false;  // run deliberately without a sink: no report is written
  // Incremental runs: every stored node's fields travel with the assignment
  // (the curator rolls them up when a node is carried over); false: only the
  // assignment root's (what finalize_run sees of it).
  bool carried_fields = true;
  // How long the run may have no live worker while work is left (counted
  // from when work may be dispatched) before it fails.
  std::chrono::milliseconds worker_wait{600000};
  std::string keys;            // CURVE keys folder ("" = the spec's [job] keys, else none)
  bool require_auth = false;   // refuse to start without keys (also [job] require_auth)
  Progress::Mode progress = Progress::Mode::off;
  std::chrono::milliseconds progress_interval{5000};  // plain lines; a terminal line is redrawn every 0.2 s
  std::string metrics;  // Prometheus metrics on HOST:PORT ("" = none)
  std::string http;        // the live dashboard on HOST:PORT ("" = none)
  std::string http_token;  // the token it requires ("" = a random one with keys, none without)
  // A context shared with the other daemons of this process (inproc://
  // endpoints, tests); null: the broker has its own.
  zmq::context_t* context = nullptr;
};

class Broker {
 public:
  // Loads the hierarchy, partitions it and binds the sockets.
  // Throws ConfigError or SourceError (exit status 2).
  explicit Broker(BrokerOptions options);
  ~Broker();

  // Runs to the end of the run; returns 0 (every node ok and the report
  // confirmed complete), 1 (it failed), or 128 + the signal that stopped it.
  int run();
  // From another thread or a signal handler: the first call aborts the run
  // (running nodes are marked interrupted, the report is concluded), a second
  // one makes the broker leave without waiting for anyone.
  void request_stop(int signal = SIGTERM) { stop_.request(signal); }

 private:
  struct Impl;
  StopRequest stop_;  // before impl_, which refers to it
  std::unique_ptr<Impl> impl_;
};

}  // namespace ramify
