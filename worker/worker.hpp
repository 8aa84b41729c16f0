#pragma once
// The worker daemon: fetches the job spec from the broker, runs N slots,
// forwards their results to the broker and their log rows to the sink, and
// keeps every log row until the sink acknowledges it.

#include <atomic>
#include <chrono>
#include <memory>
#include <string>

namespace ramify {

struct WorkerOptions {
  std::string broker;          // the broker's address ("HOST[:BASE]" or "ipc://PREFIX")
  std::string sink;            // the sink's address; "" = the spec's [job] sink, else the broker's host
  unsigned concurrency = 0;    // slots; 0 = the number of cores
  std::string worker_id;       // "" = HOST-PID-RANDOM
  std::chrono::milliseconds connect_timeout{60000};  // how long to wait for the broker at start
  std::chrono::milliseconds flush_timeout{10000};    // how long to wait for the sink's acks at the end
  // When the broker falls silent for its liveness window, the worker stops its
  // running assignments and waits this long for the broker to come back.
  std::chrono::milliseconds broker_wait{60000};
  std::string status_endpoint;  // where to answer status requests ("" = nowhere)
  std::string keys;             // CURVE keys folder ("" = none)
  class ForkServer* fork_server = nullptr;  // needed for isolation = process (started before the worker)
  std::size_t spool_bytes = 64u << 20;               // log rows held before the slots wait
};

// Exit statuses of a worker.
inline constexpr int kWorkerFinished = 0;
inline constexpr int kWorkerAborted = 1;
inline constexpr int kWorkerConfigError = 2;
inline constexpr int kWorkerLostBroker = 3;

class Worker {
 public:
  explicit Worker(WorkerOptions options);
  ~Worker();
  int run();
  // Stops the worker from another thread or a signal handler.
  void request_stop() { stop_requested_ = true; }
  const std::string& id() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::atomic<bool> stop_requested_{false};
};

}  // namespace ramify
