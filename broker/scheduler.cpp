#include "broker/scheduler.hpp"

#include <algorithm>

namespace ramify {

const char* to_string(AssignmentState state) {
  switch (state) {
    case AssignmentState::waiting: return "waiting";
    case AssignmentState::queued: return "queued";
    case AssignmentState::dispatched: return "dispatched";
    case AssignmentState::running: return "running";
    case AssignmentState::done: return "done";
    case AssignmentState::quarantined: return "quarantined";
    case AssignmentState::abandoned: return "abandoned";
  }
  return "unknown";
}

Scheduler::Scheduler(std::vector<AssignmentSpec> assignments, SchedulerPolicy policy,
                     const std::vector<RestoredAssignment>& restored)
    : policy_(policy) {
  assignments_.reserve(assignments.size());
  for (auto& spec : assignments) {
    AssignmentStatus status;
    status.spec = std::move(spec);
    assignments_.push_back(std::move(status));
  }
  for (const RestoredAssignment& r : restored) {
    if (r.id >= assignments_.size()) continue;
    AssignmentStatus& a = assignments_[r.id];
    if (r.done) {
      a.state = AssignmentState::done;
      a.attempt = r.attempt;
      a.nodes = r.nodes;
      a.failures = r.failures;
      a.skipped = r.skipped;
      ++terminal_count_;
      if (r.earlier_run) {
        ++skipped_earlier_;
      } else {
        nodes_ += r.nodes;
        restored_failures_ += r.failures;
      }
    } else if (r.attempt > 0) {
      a.attempt = r.attempt;
      superseded_.push_back(AssignmentRef{r.id, r.attempt});
    }
  }
  if (restored_failures_ > 0 && first_failure_.empty())
    first_failure_ = std::to_string(restored_failures_) + " failure(s) before the broker restarted";
  for (auto& a : assignments_) {
    if (a.terminal()) continue;
    if (a.spec.after && *a.spec.after < assignments_.size() && !assignments_[*a.spec.after].terminal()) {
      dependents_.emplace(*a.spec.after, a.spec.id);
    } else {
      a.state = AssignmentState::queued;
      queue_.push(a.spec.id, a.spec.weight);
    }
  }
}

std::uint64_t Scheduler::ReadyQueue::pop() {
  if (!again_.empty()) {
    const std::uint64_t id = again_.front();
    again_.pop_front();
    return id;
  }
  auto heaviest = by_weight_.begin();
  const std::uint64_t id = heaviest->second;
  by_weight_.erase(heaviest);
  return id;
}

std::vector<std::uint64_t> Scheduler::ReadyQueue::order() const {
  std::vector<std::uint64_t> out(again_.begin(), again_.end());
  for (const auto& [weight, id] : by_weight_) out.push_back(id);
  return out;
}

std::vector<std::uint64_t> Scheduler::ReadyQueue::take_all() {
  std::vector<std::uint64_t> out = order();
  again_.clear();
  by_weight_.clear();
  return out;
}

std::vector<std::uint64_t> Scheduler::queue_order() const { return queue_.order(); }

// ---- assignments ----

std::vector<std::uint64_t> Scheduler::take_changed() {
  std::vector<std::uint64_t> out(changed_.begin(), changed_.end());
  changed_.clear();
  return out;
}

std::vector<Dispatch> Scheduler::next_dispatches(Clock::time_point now) {
  std::vector<Dispatch> out;
  if (state_ != RunState::running) return out;
  while (!queue_.empty()) {
    WorkerStatus* best = nullptr;
    for (auto& [id, w] : workers_) {
      if (!w.alive || w.left || w.draining || w.free_slots() == 0) continue;
      if (!best || w.free_slots() > best->free_slots()) best = &w;
    }
    if (!best) break;
    AssignmentStatus& a = assignments_[queue_.pop()];
    a.state = AssignmentState::dispatched;
    a.attempt += 1;
    a.worker = best->id;
    a.dispatched_at = now;
    best->assigned.insert(a.spec.id);
    touch(a);
    out.push_back(Dispatch{a.spec.id, a.attempt, best->id});
  }
  return out;
}

AssignmentStatus* Scheduler::current(const std::string& worker, std::uint64_t id, std::uint32_t attempt) {
  if (id >= assignments_.size()) return nullptr;
  AssignmentStatus& a = assignments_[id];
  if (a.attempt != attempt || a.worker != worker) return nullptr;
  if (a.state != AssignmentState::dispatched && a.state != AssignmentState::running) return nullptr;
  auto w = workers_.find(worker);
  if (w == workers_.end() || !w->second.alive) return nullptr;
  return &a;
}

bool Scheduler::started(const std::string& worker, const Started& started) {
  AssignmentStatus* a = current(worker, started.id, started.attempt);
  if (!a) return false;
  a->state = AssignmentState::running;
  return true;
}

void Scheduler::set_live(AssignmentStatus& a, std::uint64_t nodes, std::uint64_t skipped) {
  live_nodes_ = live_nodes_ - a.live_nodes + nodes;
  live_skipped_ = live_skipped_ - a.live_skipped + skipped;
  a.live_nodes = nodes;
  a.live_skipped = skipped;
}

bool Scheduler::node_failed(const std::string& worker, const NodeFailed& failed) {
  if (!current(worker, failed.id, failed.attempt)) return false;
  const auto [it, fresh] = failed_nodes_.try_emplace(failed.node_id, AssignmentRef{failed.id, failed.attempt});
  if (!fresh) {
    it->second = AssignmentRef{failed.id, failed.attempt};  // the node failed again, in a later attempt
    return true;
  }
  count_failure(failed.node_id + " (" + failed.container_type + "): " + failed.error);
  return true;
}

bool Scheduler::done(const std::string& worker, const Done& done) {
  AssignmentStatus* a = current(worker, done.id, done.attempt);
  if (!a) return false;
  WorkerStatus& w = workers_[worker];
  w.assigned.erase(done.id);
  w.last_seq = std::max(w.last_seq, done.last_seq);
  if (done.last_seq > w.acked_seq && done.records > 0)
    w.undelivered.push_back(UndeliveredDone{done.id, done.attempt, done.last_seq, done.records});
  if (done.handed_back) {
    take_back(*a, done);
    return true;
  }
  if (!done.complete && state_ == RunState::running) {
    requeue_or_quarantine(*a, "worker " + worker + " stopped it early");
    return true;
  }
  add_counts(*a, done);
  finish_assignment(*a, done.complete ? AssignmentState::done : AssignmentState::abandoned);
  return true;
}

// An attempt's own counts, added to those of the attempts before a hand-back.
void Scheduler::add_counts(AssignmentStatus& a, const Done& done) {
  set_live(a, 0, 0);  // the final counts replace what the heartbeats said
  a.nodes += done.nodes;
  a.failures += done.failures;
  a.skipped += done.skipped;
  nodes_ += done.nodes;
  nodes_skipped_ += done.skipped;
  if (a.skip == 0) {  // this attempt curated the root
    a.root_fields = done.root_fields;
    a.root_data = done.root_data;
  } else {  // the root was curated before; a resumed walk adds only its leave() fields
    a.root_fields.insert(a.root_fields.end(), done.root_fields.begin(), done.root_fields.end());
  }
}

// A draining worker handed the assignment (or its rest) back: its rows stand,
// no attempt is counted, and the next attempt resumes where it stopped.
void Scheduler::take_back(AssignmentStatus& a, const Done& done) {
  add_counts(a, done);
  a.skip = done.resume_visits;
  a.resume_data = done.resume_data;
  ++a.handed_back;
  ++handed_back_;
  if (state_ != RunState::running) {
    finish_assignment(a, AssignmentState::abandoned);
    return;
  }
  a.worker.clear();
  a.state = AssignmentState::queued;
  touch(a);
  queue_.push_front(a.spec.id);
}

void Scheduler::finish_assignment(AssignmentStatus& a, AssignmentState state) {
  if (a.terminal()) return;
  a.state = state;
  touch(a);
  ++terminal_count_;
  if (state == AssignmentState::abandoned) ++abandoned_;
  release_dependents(a.spec.id);
}

void Scheduler::release_dependents(std::uint64_t id) {
  auto [first, last] = dependents_.equal_range(id);
  for (auto it = first; it != last; ++it) {
    AssignmentStatus& child = assignments_[it->second];
    if (child.state != AssignmentState::waiting) continue;
    if (state_ == RunState::running) {
      child.state = AssignmentState::queued;
      queue_.push(child.spec.id, child.spec.weight);
    } else {
      finish_assignment(child, AssignmentState::abandoned);
    }
  }
}

void Scheduler::requeue_or_quarantine(AssignmentStatus& a, const std::string& why) {
  // The rows of an attempt that is run again stop counting; a final attempt's rows stay.
  if (a.terminal()) return;
  // What its worker had curated stays in the report unless the attempt is run again.
  const std::uint64_t curated = a.live_nodes, skipped = a.live_skipped;
  set_live(a, 0, 0);
  if (state_ != RunState::running) {
    nodes_ += curated;
    nodes_skipped_ += skipped;
    finish_assignment(a, AssignmentState::abandoned);
    return;
  }
  a.lost_workers += 1;
  if (a.lost_workers >= policy_.max_attempts) {
    nodes_ += curated;
    nodes_skipped_ += skipped;
    ++quarantined_;
    finish_assignment(a, AssignmentState::quarantined);
    count_failure("assignment " + std::to_string(a.spec.id) + " (" + a.spec.root.id + ") quarantined after " +
                  std::to_string(a.lost_workers) + " attempts; last: " + why);
    return;
  }
  superseded_.push_back(AssignmentRef{a.spec.id, a.attempt});
  std::erase_if(failed_nodes_, [&](const auto& entry) {
    return entry.second.id == a.spec.id && entry.second.attempt == a.attempt;
  });
  a.worker.clear();
  a.state = AssignmentState::queued;
  touch(a);
  queue_.push_front(a.spec.id);
}

void Scheduler::count_failure(const std::string& description) {
  if (first_failure_.empty()) first_failure_ = description;
  if (state_ != RunState::running) return;
  if (policy_.max_failures > 0) {
    if (failures() >= policy_.max_failures) {
      stop_reason_ = std::to_string(failures()) + " failure(s) reached max_failures = " +
                     std::to_string(policy_.max_failures);
      stop_dispatching(RunState::aborted);
    }
    return;
  }
  switch (policy_.on_failure) {
    case FailurePolicy::kill:
      stop_reason_ = "a node failed (on_failure = kill)";
      stop_dispatching(RunState::aborted);
      break;
    case FailurePolicy::finish:
      stop_reason_ = "a node failed (on_failure = finish): running assignments finish, nothing new starts";
      stop_dispatching(RunState::draining);
      break;
    case FailurePolicy::keep_going: break;
  }
}

void Scheduler::stop_dispatching(RunState state) {
  state_ = state;
  for (std::uint64_t id : queue_.take_all()) finish_assignment(assignments_[id], AssignmentState::abandoned);
  for (auto& a : assignments_)
    if (a.state == AssignmentState::waiting) finish_assignment(a, AssignmentState::abandoned);
}

// ---- the run ----

void Scheduler::abort(const std::string& why) {
  aborted_from_outside_ = true;
  if (first_failure_.empty()) first_failure_ = why;
  if (state_ == RunState::running || state_ == RunState::draining) {
    stop_reason_ = why;
    stop_dispatching(RunState::aborted);
  }
}

void Scheduler::fail_run(const std::string& why) {
  ++run_failures_;
  if (first_failure_.empty()) first_failure_ = why;
}

Data Scheduler::data_for(std::uint64_t id) const {
  const AssignmentStatus& a = assignments_.at(id);
  if (!a.spec.after) return {};
  return assignments_.at(*a.spec.after).root_data;
}

int Scheduler::exit_status() const {
  bool clean = failures() == 0 && quarantined_ == 0 && abandoned_ == 0 && !aborted_from_outside_;
  return clean ? 0 : 1;
}

std::size_t Scheduler::count(AssignmentState state) const {
  return static_cast<std::size_t>(std::count_if(assignments_.begin(), assignments_.end(),
                                                [state](const AssignmentStatus& a) { return a.state == state; }));
}

}  // namespace ramify
