#include "worker/thread_slot.hpp"

#include "common/logging.hpp"
#include "worker/assignment_walk.hpp"
#include "worker/curator_factory.hpp"

namespace ramify {

ThreadSlot::ThreadSlot(std::size_t index, const JobSpec& spec, EventQueue& events, InputProvider* inputs)
    : index_(index), spec_(spec), curator_options_(spec.section("curator")), events_(events), inputs_(inputs) {}

ThreadSlot::~ThreadSlot() {
  close(false);
  cancel_all();
  join();
}

void ThreadSlot::start() { thread_ = std::thread([this] { main(); }); }

void ThreadSlot::assign(Assign assignment) {
  running = AssignmentRef{assignment.id, assignment.attempt};
  {
    std::lock_guard lock(mutex_);
    next_ = std::move(assignment);
  }
  wake_.notify_one();
}

void ThreadSlot::cancel(const AssignmentRef& ref) {
  std::lock_guard lock(mutex_);
  if (current_ && *current_ == ref) cancel_.cancel();
  if (next_ && next_->id == ref.id && next_->attempt == ref.attempt) next_.reset();
}

void ThreadSlot::cancel_running() {
  std::lock_guard lock(mutex_);
  next_.reset();
  if (current_) cancel_.cancel();
}

void ThreadSlot::cancel_all() {
  {
    std::lock_guard lock(mutex_);
    cancel_all_ = true;
    next_.reset();
  }
  cancel_.cancel();
  wake_.notify_one();
}

void ThreadSlot::close(bool finalize) {
  {
    std::lock_guard lock(mutex_);
    closing_ = true;
    finalize_ = finalize;
  }
  wake_.notify_one();
}

void ThreadSlot::join() {
  if (thread_.joinable()) thread_.join();
}

void ThreadSlot::main() {
  try {
    curator_ = make_curator(spec_);
  } catch (const std::exception& e) {
    logger("worker")->error("slot {}: cannot build the curator: {}", index_, e.what());
  }
  while (true) {
    Assign assignment;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return next_.has_value() || closing_ || cancel_all_; });
      if (!next_) break;
      assignment = std::move(*next_);
      next_.reset();
      current_ = AssignmentRef{assignment.id, assignment.attempt};
      if (!cancel_all_) cancel_.reset();
    }
    run_assignment(assignment);
    std::lock_guard lock(mutex_);
    current_.reset();
  }
  bool finalize = false;
  {
    std::lock_guard lock(mutex_);
    finalize = finalize_ && !cancel_all_;
  }
  if (finalize && curator_) finalize_curator(*curator_, events_, index_, cancel_, inputs_, curator_options_);
  SlotEvent exited;
  exited.kind = SlotEvent::Kind::exited;
  exited.slot = index_;
  events_.push(std::move(exited));
}

void ThreadSlot::run_assignment(const Assign& assignment) {
  const AssignmentRef ref{assignment.id, assignment.attempt};
  SlotEvent started;
  started.kind = SlotEvent::Kind::started;
  started.slot = index_;
  started.assignment = ref;
  events_.push(std::move(started));

  SlotEvent done;
  done.kind = SlotEvent::Kind::done;
  done.slot = index_;
  done.assignment = ref;
  if (curator_) {
    done.done = walk_assignment(assignment, spec_, *curator_, events_, index_, cancel_, inputs_, curator_options_).done;
  } else {
    done.done.id = assignment.id;
    done.done.attempt = assignment.attempt;
    done.done.complete = false;
  }
  events_.push(std::move(done));
}

}  // namespace ramify
