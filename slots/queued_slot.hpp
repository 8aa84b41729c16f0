#pragma once
// The part every slot shares: a thread of its own that takes one assignment
// at a time from a one-place mailbox, and the cancels that reach it from the
// worker's main thread. A variant (ThreadSlot, ProcessSlot) says only how an
// assignment runs, how it is interrupted, and what happens at the end.
//
// Contract: the hooks on_taken() and interrupt() run with mutex_ held;
// prepare(), run() and after_last() run on the slot's thread without it.
// After after_last(), the slot pushes its `exited` event. A variant's destructor calls shut_down()
// first, while its hooks still exist.

#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include "engine/event_queue.hpp"
#include "protocol/messages.hpp"
#include "slots/slot.hpp"

namespace ramify {

class QueuedSlot : public Slot {
 public:
  QueuedSlot(std::size_t index, EventQueue& events) : index_(index), events_(events) {}
  QueuedSlot(const QueuedSlot&) = delete;
  QueuedSlot& operator=(const QueuedSlot&) = delete;

  void start() final;
  void assign(Assign assignment) final;
  void cancel(const AssignmentRef& ref) final;
  void cancel_running() final;
  void cancel_all() final;
  void close(bool finalize) final;
  void join() final;

 protected:
  // Closes the mailbox, cancels everything and joins the thread.
  void shut_down();

  const std::size_t index_;
  EventQueue& events_;
  // Guards the mailbox, and whatever a variant's interrupt() touches.
  std::mutex mutex_;

 private:
  // On the slot's thread, before the first assignment.
  virtual void prepare() {}
  // An assignment was taken; `aborted`: the run was aborted meanwhile (cancel_all).
  virtual void on_taken(bool aborted) = 0;
  // Stop the assignment that runs now.
  virtual void interrupt() = 0;
  // Runs an assignment (its `started` event is already out) and pushes its `done`.
  virtual void run(const Assign& assignment) = 0;
  // After the last assignment; `finalize`: close(true) and the run not aborted.
  virtual void after_last(bool finalize) = 0;

  void main();

  std::thread thread_;
  std::condition_variable wake_;
  std::optional<Assign> next_;
  std::optional<AssignmentRef> current_;
  bool closing_ = false;
  bool finalize_ = false;
  bool cancel_all_ = false;
};

}  // namespace ramify
