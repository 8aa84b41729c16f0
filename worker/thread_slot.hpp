#pragma once
// A slot as a thread of the worker (isolation = thread): it owns a curator
// and walks one assignment at a time.

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
#include "worker/slot.hpp"
#include "worker/event_queue.hpp"

namespace ramify {

class ThreadSlot : public Slot {
 public:
  // `inputs` gives the job's shared inputs (null when it has none).
  ThreadSlot(std::size_t index, const JobSpec& spec, EventQueue& events, InputProvider* inputs);
  ~ThreadSlot() override;
  ThreadSlot(const ThreadSlot&) = delete;
  ThreadSlot& operator=(const ThreadSlot&) = delete;

  void start() override;
  void assign(Assign assignment) override;
  void cancel(const AssignmentRef& ref) override;
  void cancel_running() override;
  void cancel_all() override;
  void close(bool finalize) override;
  void join() override;

 private:
  void main();
  void run_assignment(const Assign& assignment);

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
