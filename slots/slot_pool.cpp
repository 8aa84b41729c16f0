#include "slots/slot_pool.hpp"

#include "slots/process_slot.hpp"
#include "slots/thread_slot.hpp"
#include "util/errors.hpp"

namespace ramify {

SlotPool::SlotPool(const JobSpec& spec, unsigned concurrency, std::size_t budget_bytes, InputProvider* inputs,
                   ForkServer* forks, const StopRequest* stop)
    : events_(budget_bytes), views_(concurrency) {
  const bool processes = spec.isolation() == "process";
  if (processes && !forks)
    throw ConfigError("isolation = process needs the worker's fork server (ramify worker starts one)");
  for (std::size_t i = 0; i < concurrency; ++i) {
    if (processes) {
      slots_.push_back(std::make_unique<ProcessSlot>(i, spec, events_, inputs, *forks));
    } else {
      slots_.push_back(std::make_unique<ThreadSlot>(i, spec, events_, inputs, stop));
    }
  }
}

SlotPool::~SlotPool() = default;

void SlotPool::start() {
  for (auto& slot : slots_) slot->start();
}

void SlotPool::accept(Assign assignment) {
  if (closed_ || draining_) return;
  // A slot may still be finishing a cancelled assignment: the new one waits for it.
  waiting_.push_back(std::move(assignment));
  start_waiting();
}

void SlotPool::start_waiting() {
  for (std::size_t i = 0; i < slots_.size() && !waiting_.empty(); ++i) {
    if (views_[i].running) continue;
    views_[i] = View{AssignmentRef{waiting_.front().id, waiting_.front().attempt}};
    slots_[i]->assign(std::move(waiting_.front()));
    waiting_.pop_front();
  }
}

void SlotPool::cancel(const AssignmentRef& ref) {
  std::erase_if(waiting_, [&](const Assign& a) { return a.id == ref.id && a.attempt == ref.attempt; });
  for (auto& slot : slots_) slot->cancel(ref);
}

void SlotPool::cancel_running() {
  waiting_.clear();
  for (auto& slot : slots_) slot->cancel_running();
}

std::vector<Assign> SlotPool::drain() {
  draining_ = true;
  for (auto& slot : slots_) slot->set_draining(true);
  std::vector<Assign> unstarted(std::make_move_iterator(waiting_.begin()), std::make_move_iterator(waiting_.end()));
  waiting_.clear();
  return unstarted;
}

void SlotPool::hand_back_running() {
  for (auto& slot : slots_) slot->hand_back();
}

void SlotPool::close(bool abort) {
  closed_ = true;
  waiting_.clear();
  for (auto& slot : slots_) {
    if (abort) slot->set_draining(false);  // what runs is interrupted, not handed back
    if (abort) slot->cancel_all();
    slot->close(/*finalize=*/!abort);
  }
  events_.stop_waiting();  // what is left to log is bounded; never block the stop on it
}

void SlotPool::join() {
  for (auto& slot : slots_) slot->join();
}

void SlotPool::take_events(const std::function<void(SlotEvent&)>& forward) {
  for (SlotEvent& event : events_.take_all()) {
    View& view = views_.at(event.slot);
    switch (event.kind) {
      case SlotEvent::Kind::records:
        if (view.running) {  // finalize's records come after the slot's last assignment
          view.curated += event.outcomes;
          view.curated_skipped += event.skipped_outcomes;
          view.records += event.record_count;
        }
        break;
      case SlotEvent::Kind::done:
        event.done.records = view.records;
        view.running.reset();
        break;
      case SlotEvent::Kind::exited: ++exited_; break;
      default: break;
    }
    forward(event);
    if (event.kind == SlotEvent::Kind::done && !closed_ && !draining_) start_waiting();
  }
}

void SlotPool::describe(Heartbeat& heartbeat) const {
  std::uint32_t idle = 0;
  for (const View& view : views_) {
    if (view.running) {
      heartbeat.running.push_back(*view.running);
      heartbeat.counts.push_back(
          AssignmentCounts{view.running->id, view.running->attempt, view.curated, view.curated_skipped});
    } else {
      ++idle;
    }
  }
  for (const Assign& a : waiting_) heartbeat.running.push_back(AssignmentRef{a.id, a.attempt});
  heartbeat.free_slots = !closed_ && !draining_ && idle > waiting_.size()
                             ? idle - static_cast<std::uint32_t>(waiting_.size())
                             : 0;
  heartbeat.draining = draining_;
}

std::uint32_t SlotPool::running() const {
  std::uint32_t n = 0;
  for (const View& view : views_) n += view.running ? 1u : 0u;
  return n;
}

}  // namespace ramify
