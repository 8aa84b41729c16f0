#include "slots/queued_slot.hpp"

namespace ramify {

void QueuedSlot::start() { thread_ = std::thread([this] { main(); }); }

void QueuedSlot::assign(Assign assignment) {
  {
    std::lock_guard lock(mutex_);
    next_ = std::move(assignment);
  }
  wake_.notify_one();
}

void QueuedSlot::cancel(const AssignmentRef& ref) {
  std::lock_guard lock(mutex_);
  if (next_ && next_->id == ref.id && next_->attempt == ref.attempt) next_.reset();
  if (current_ && *current_ == ref) interrupt();
}

void QueuedSlot::cancel_running() {
  std::lock_guard lock(mutex_);
  next_.reset();
  if (current_) interrupt();
}

void QueuedSlot::cancel_all() {
  {
    std::lock_guard lock(mutex_);
    cancel_all_ = true;
    next_.reset();
    interrupt();
  }
  wake_.notify_one();
}

void QueuedSlot::close(bool finalize) {
  {
    std::lock_guard lock(mutex_);
    closing_ = true;
    finalize_ = finalize;
  }
  wake_.notify_one();
}

void QueuedSlot::join() {
  if (thread_.joinable()) thread_.join();
}

void QueuedSlot::shut_down() {
  close(false);
  cancel_all();
  join();
}

void QueuedSlot::main() {
  prepare();
  while (true) {
    Assign assignment;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return next_.has_value() || closing_ || cancel_all_; });
      if (!next_) break;
      assignment = std::move(*next_);
      next_.reset();
      current_ = AssignmentRef{assignment.id, assignment.attempt};
      on_taken(cancel_all_);
    }
    SlotEvent started;
    started.kind = SlotEvent::Kind::started;
    started.slot = index_;
    started.assignment = AssignmentRef{assignment.id, assignment.attempt};
    events_.push(std::move(started));
    run(assignment);
    std::lock_guard lock(mutex_);
    current_.reset();
  }
  bool finalize = false;
  {
    std::lock_guard lock(mutex_);
    finalize = finalize_ && !cancel_all_;
  }
  after_last(finalize);
  SlotEvent exited;
  exited.kind = SlotEvent::Kind::exited;
  exited.slot = index_;
  events_.push(std::move(exited));
}

}  // namespace ramify
