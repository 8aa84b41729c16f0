#include "slots/thread_slot.hpp"

#include "curators/curator_factory.hpp"
#include "engine/assignment_walk.hpp"
#include "util/logging.hpp"

namespace ramify {

ThreadSlot::ThreadSlot(std::size_t index, const JobSpec& spec, EventQueue& events, InputProvider* inputs,
                       const StopRequest* stop)
    : QueuedSlot(index, events), spec_(spec), curator_options_(spec.section("curator")), inputs_(inputs), stop_(stop) {}

void ThreadSlot::set_draining(bool on) {
  if (draining_.load() != 2) draining_.store(on ? 1 : 2);
}

ThreadSlot::~ThreadSlot() { shut_down(); }

void ThreadSlot::prepare() {
  try {
    curator_ = make_curator(spec_, CuratorHost::worker_slot);
  } catch (const std::exception& e) {
    logger("worker")->error("slot {}: cannot build the curator: {}", index_, e.what());
  }
}

void ThreadSlot::on_taken(bool aborted) {
  if (!aborted) cancel_.reset();
}

void ThreadSlot::interrupt() { cancel_.cancel(); }

void ThreadSlot::after_last(bool finalize) {
  if (finalize && curator_) finalize_curator(*curator_, events_, index_, cancel_, inputs_, curator_options_);
}

void ThreadSlot::run(const Assign& assignment) {
  const AssignmentRef ref{assignment.id, assignment.attempt};

  SlotEvent done;
  done.kind = SlotEvent::Kind::done;
  done.slot = index_;
  done.assignment = ref;
  if (curator_) {
    WalkHooks hooks;
    hooks.hand_back_now = [this] { return hand_back_.load(); };
    hooks.draining = [this] {
      const int draining = draining_.load();
      return draining == 1 || (draining == 0 && stop_ && stop_->count() > 0 && stop_->signal() == SIGTERM);
    };
    done.done = walk_assignment(assignment, spec_, *curator_, events_, index_, cancel_, inputs_, curator_options_,
                                std::move(hooks))
                    .done;
  } else {
    done.done.id = assignment.id;
    done.done.attempt = assignment.attempt;
    done.done.complete = false;
  }
  events_.push(std::move(done));
}

}  // namespace ramify
