#pragma once
// One slot of a worker: a thread that owns a curator and walks one
// assignment at a time. The main thread hands it work and cancels it; the
// slot reports through the EventQueue. A slot never touches a socket.

#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "common/job_spec.hpp"
#include "common/messages.hpp"
#include "worker/cancel_token.hpp"
#include "worker/context_services.hpp"
#include "worker/plugin_loader.hpp"
#include "worker/event_queue.hpp"

namespace ramify {

class Slot {
 public:
  // `inputs` gives the job's shared inputs (null when it has none).
  Slot(std::size_t index, const JobSpec& spec, EventQueue& events, InputProvider* inputs);
  ~Slot();
  Slot(const Slot&) = delete;
  Slot& operator=(const Slot&) = delete;

  void start();
  // Main thread: gives an idle slot its next assignment.
  void assign(Assign assignment);
  // Stops the assignment if it is the one running.
  void cancel(const AssignmentRef& ref);
  // Stops the assignment that runs now (its broker is gone); later ones still run.
  void cancel_running();
  // Stops whatever runs now and anything handed later (the run is aborted).
  void cancel_all();
  // No more work: the thread finalizes its curator (when `finalize`) and exits.
  void close(bool finalize);
  void join();

  // Main thread's view, updated from events.
  std::optional<AssignmentRef> running;

 private:
  void main();
  void run_assignment(const Assign& assignment);
  void finalize_curator();

  std::size_t index_;
  const JobSpec& spec_;
  std::map<std::string, std::string> curator_options_;
  EventQueue& events_;
  InputProvider* inputs_;
  CancelToken cancel_;
  std::thread thread_;

  std::mutex mutex_;
  std::condition_variable wake_;
  std::optional<Assign> next_;
  std::optional<AssignmentRef> current_;  // guarded by mutex_
  bool closing_ = false;
  bool finalize_ = false;
  bool cancel_all_ = false;

  CuratorPtr curator_;
};

}  // namespace ramify
