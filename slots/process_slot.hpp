#pragma once
// A slot as a process (isolation = process): a thread of the worker drives a
// slot process forked from the fork server over a socket pair, forwards its
// records, answers its requests for shared inputs, and replaces it when it
// dies or wears out. A slot process that dies on a signal, or grows past
// twice slot_memory_limit, fails only the node it was curating (the report
// names the signal or the memory figure); a fresh process resumes the
// assignment after that node. Past slot_memory_limit, or after
// max_nodes_per_slot nodes, a slot process steps aside between nodes and a
// fresh one takes over: nothing fails.

#include <chrono>

#include "engine/context_services.hpp"
#include "engine/event_queue.hpp"
#include "slots/fork_server.hpp"
#include "slots/queued_slot.hpp"
#include "slots/slot_channel.hpp"
#include "slots/slot_progress.hpp"
#include "spec/job_spec.hpp"

namespace ramify {

class ProcessSlot : public QueuedSlot {
 public:
  // How long a slot process's finalize() may take before it is stopped.
  static constexpr std::chrono::seconds kFinalizeTimeout{600};

  ProcessSlot(std::size_t index, const JobSpec& spec, EventQueue& events, InputProvider* inputs, ForkServer& forks);
  ~ProcessSlot() override;
  void set_draining(bool on) override;
  void hand_back() override { progress_->hand_back.store(1); }

 private:
  // The slot process now serving, forked on demand.
  struct Child {
    pid_t pid = -1;
    int fd = -1;  // the worker's end of the socket pair
  };

  void on_taken(bool aborted) override;
  void interrupt() override;  // the slot process is told with SIGUSR1
  void run(const Assign& assignment) override;
  void after_last(bool finalize) override;  // finalizes in a slot process, which then ends
  bool spawn();
  void stop_child();
  // Reads frames until done or recycled or the child ended; false when it ended.
  enum class Ending { done, recycled, handed_back, died, cancelled };
  Ending serve(const Assign& assignment, Done& total, std::uint64_t& visits, OpenData& open_data);
  void report_death(const Assign& assignment, Done& total, std::uint64_t& visits, const std::string& why);
  std::string death_reason(int status) const;
  void push_records(const SlotRecords& records);
  // Answers the child's request for a shared input's local path (`body`: its name).
  void answer_input_request(const std::string& body);

  const JobSpec& spec_;
  InputProvider* inputs_;
  ForkServer& forks_;
  std::uint64_t memory_limit_;
  bool cancel_current_ = false;  // guarded by mutex_
  Child child_;  // guarded by mutex_ for the signals sent from other threads
  int progress_fd_ = -1;
  SlotProgress* progress_ = nullptr;
  std::string killed_for_memory_;  // why the proxy killed the child, if it did
};

}  // namespace ramify
