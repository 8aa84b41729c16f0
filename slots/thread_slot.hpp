#pragma once
// A slot as a thread of the worker (isolation = thread): it owns a curator
// and walks one assignment at a time.

#include <atomic>
#include <map>
#include <memory>
#include <string>

#include "curators/plugin_loader.hpp"
#include "engine/cancel_token.hpp"
#include "engine/context_services.hpp"
#include "engine/event_queue.hpp"
#include "protocol/messages.hpp"
#include "slots/queued_slot.hpp"
#include "spec/job_spec.hpp"
#include "util/stop_request.hpp"

namespace ramify {

class ThreadSlot : public QueuedSlot {
 public:
  // `inputs` gives the job's shared inputs (null when it has none); `stop`,
  // the worker's stop request: a SIGTERM drains from the moment it arrives
  // (the commands a scheduler signals with the worker die at once).
  ThreadSlot(std::size_t index, const JobSpec& spec, EventQueue& events, InputProvider* inputs,
             const StopRequest* stop);
  ~ThreadSlot() override;
  void set_draining(bool on) override;
  void hand_back() override { hand_back_ = true; }

 private:
  void prepare() override;  // builds the curator, on the slot's thread
  void on_taken(bool aborted) override;
  void interrupt() override;
  void run(const Assign& assignment) override;
  void after_last(bool finalize) override;

  const JobSpec& spec_;
  std::map<std::string, std::string> curator_options_;
  InputProvider* inputs_;
  CancelToken cancel_;
  CuratorPtr curator_;
  const StopRequest* stop_;
  std::atomic<int> draining_{0};  // 0: not asked, 1: draining, 2: off for good (the run was aborted)
  std::atomic<bool> hand_back_{false};
};

}  // namespace ramify
