#pragma once
// The worker daemon: fetches the job spec from the broker, runs N slots,
// forwards their results to the broker and their log rows to the sink, and
// keeps every log row until the sink acknowledges it.

#include <chrono>
#include <memory>
#include <string>

#include "util/stop_request.hpp"

namespace zmq {
class context_t;
}

namespace ramify {

struct WorkerOptions {
  std::string broker;          // the broker's address ("HOST[:BASE]" or "ipc://PREFIX")
  std::string sink;            // the sink's address; "" = the spec's [job] sink, else the broker's host
  unsigned concurrency = 0;    // slots; 0 = the number of cores
  std::string name;            // "" = the host name; the worker's id is NAME-PID-RANDOM, one per process
  std::chrono::milliseconds connect_timeout{60000};  // how long to wait for the broker at start
  std::chrono::milliseconds flush_timeout{10000};    // at the end, how long the sink may acknowledge nothing
  // When the broker falls silent for its liveness window, the worker stops its
  // running assignments and waits this long for the broker to come back.
  std::chrono::milliseconds broker_wait{60000};
  std::string status_endpoint;  // where to answer status requests ("" = nowhere)
  std::string keys;             // CURVE keys folder ("" = none)
  std::string metrics;          // Prometheus metrics on HOST:PORT ("" = none)
  std::string key_file;         // this worker's own key ("" = KEYS/worker.key)
  class ForkServer* fork_server = nullptr;  // needed for isolation = process (started before the worker)
  std::size_t spool_bytes = 64u << 20;               // log rows held before the slots wait
  // A drain (SIGTERM, or max_lifetime) lets the running assignments go on
  // this long, then ends each after its node in progress and hands back the
  // rest; a node still running after twice this long is interrupted and
  // handed back too.
  std::chrono::milliseconds drain_timeout{30000};
  // > 0: the worker drains at max_lifetime - 2 x drain_timeout, so that even
  // a node in progress is interrupted by max_lifetime (a batch job's walltime).
  std::chrono::milliseconds max_lifetime{0};
  // A context shared with the other daemons of this process (inproc://
  // endpoints, tests); null: the worker has its own.
  zmq::context_t* context = nullptr;
};

// Exit statuses of a worker (and 128 + N when signal N stopped it).
inline constexpr int kWorkerFinished = 0;    // the run finished and the sink has every record
inline constexpr int kWorkerAborted = 1;     // the run was aborted
inline constexpr int kWorkerConfigError = 2;
inline constexpr int kWorkerLostBroker = 3;
inline constexpr int kWorkerLostSink = 4;    // the run finished, but the sink did not acknowledge every record

class Worker {
 public:
  explicit Worker(WorkerOptions options);
  ~Worker();
  int run();
  // From another thread or a signal handler. A first SIGTERM drains: no new
  // work, the unstarted assignments handed back at once, the running ones
  // finished or (after drain_timeout) handed back, the records delivered,
  // exit 0. A first SIGINT stops the running nodes (marked interrupted),
  // delivers the records and says goodbye; a second request of either kind
  // stops at once and leaves without waiting for the sink.
  void request_stop(int signal = SIGTERM) { stop_.request(signal); }

 private:
  struct Impl;
  StopRequest stop_;  // before impl_, which refers to it
  std::unique_ptr<Impl> impl_;
};

}  // namespace ramify
