#pragma once
// How slot threads report to the worker's main thread (which owns every
// socket): a locked queue plus an eventfd that the worker's reactor watches.
//
// Back-pressure: record batches count against a byte budget shared with the
// worker's log spool (records not yet acknowledged by the sink). A slot that
// pushes records while the budget is spent waits until acknowledgements free
// it; nothing is ever dropped.

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>

#include "protocol/messages.hpp"

namespace ramify {

struct SlotEvent {
  enum class Kind { started, records, node_failed, done, exited };
  Kind kind = Kind::started;
  std::size_t slot = 0;
  AssignmentRef assignment;
  std::uint32_t record_count = 0;  // records
  std::string records;             // records: encode_records() bytes
  std::uint32_t outcomes = 0;          // records: how many are outcome rows (curated nodes)
  std::uint32_t skipped_outcomes = 0;  // records: how many of those are skipped
  NodeFailed failed;               // node_failed
  Done done;                       // done
};

// Where a slot's events go: the worker's EventQueue, or, in a slot process,
// the channel to its worker.
class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void push(SlotEvent event) = 0;
};

class EventQueue : public EventSink {
 public:
  explicit EventQueue(std::size_t budget_bytes);
  ~EventQueue();
  EventQueue(const EventQueue&) = delete;
  EventQueue& operator=(const EventQueue&) = delete;

  // Readable while events wait.
  int fd() const { return event_fd_; }

  // Queues an event; a records event waits while the byte budget is spent.
  void push(SlotEvent event) override;
  // Takes every waiting event (main thread).
  std::deque<SlotEvent> take_all();
  // Returns bytes to the budget (the sink acknowledged them).
  void release(std::size_t bytes);
  // From now on pushes never wait (the worker is stopping).
  void stop_waiting();

 private:
  mutable std::mutex mutex_;
  std::condition_variable budget_freed_;
  std::deque<SlotEvent> events_;
  std::size_t budget_;
  std::size_t used_ = 0;
  bool never_wait_ = false;
  int event_fd_;
};

}  // namespace ramify
