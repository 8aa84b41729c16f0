#pragma once
// A worker's slots as its main thread sees them: the slots themselves
// (threads, or processes from the fork server), the assignments accepted but
// waiting for a free slot, and what each slot runs now and how far it got.
// Events from the slots come through one EventQueue; the pool keeps its own
// view up to date from them before the worker forwards them.

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "engine/event_queue.hpp"
#include "slots/slot.hpp"
#include "spec/job_spec.hpp"

namespace ramify {

class ForkServer;
class StopRequest;
class InputProvider;

class SlotPool {
 public:
  // `forks` is needed for isolation = process (throws ConfigError without it);
  // `stop`, the worker's stop request, lets thread slots see a SIGTERM at once.
  SlotPool(const JobSpec& spec, unsigned concurrency, std::size_t budget_bytes, InputProvider* inputs,
           ForkServer* forks, const StopRequest* stop = nullptr);
  ~SlotPool();

  void start();
  std::size_t size() const { return slots_.size(); }
  int events_fd() const { return events_.fd(); }
  // Gives the sink's acknowledged bytes back to the slots' budget.
  void release(std::size_t bytes) { events_.release(bytes); }

  // Takes an assignment: it runs in the first free slot, or waits for one.
  void accept(Assign assignment);
  void cancel(const AssignmentRef& ref);
  // The broker fell silent: the running and waiting assignments stop.
  void cancel_running();
  // No more work: every slot exits, after finalizing its curator (`abort`: not,
  // and what runs is stopped first). Pushes from the slots never wait from now on.
  void close(bool abort);
  // The worker drains: takes no more assignments, returns those accepted but
  // not started (to be handed back), and lets the running ones go on.
  std::vector<Assign> drain();
  // The drain's deadline: each running assignment ends after its node in
  // progress and hands back the rest (its `done` says handed_back).
  void hand_back_running();
  bool draining() const { return draining_; }
  // Nothing runs and nothing waits.
  bool idle() const { return running() == 0 && waiting_.empty(); }
  bool all_exited() const { return exited_ == slots_.size(); }
  void join();

  // Takes the waiting events, updates the pool's view, and hands each to
  // `forward` (before a freed slot takes the next waiting assignment).
  void take_events(const std::function<void(SlotEvent&)>& forward);

  // What runs and waits, for the broker's heartbeat: refs, per-assignment
  // counts, and the slots free for more work.
  void describe(Heartbeat& heartbeat) const;
  std::uint32_t running() const;

 private:
  struct View {
    std::optional<AssignmentRef> running;
    std::uint64_t curated = 0;          // outcome rows handed over for `running`
    std::uint64_t curated_skipped = 0;  // of which skipped
    std::uint64_t records = 0;          // log records handed over for `running`
  };
  void start_waiting();

  EventQueue events_;
  std::vector<std::unique_ptr<Slot>> slots_;
  std::vector<View> views_;
  std::deque<Assign> waiting_;
  std::size_t exited_ = 0;
  bool closed_ = false;
  bool draining_ = false;
};

}  // namespace ramify
