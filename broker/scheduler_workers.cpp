#include "broker/scheduler.hpp"

#include <algorithm>

// The scheduler's view of its workers: they join (hello), beat, leave (bye)
// or go silent (expire); a lost worker's assignments go back to the queue.

namespace ramify {

void Scheduler::hello(const Hello& hello, Clock::time_point now) {
  auto it = workers_.find(hello.worker_id);
  if (it != workers_.end() && it->second.alive) {
    WorkerStatus& known = it->second;
    if (known.pid == hello.pid && known.host == hello.host) {  // the same process saying hello again
      known.slots = std::max<std::uint32_t>(hello.slots, 1);
      known.last_seen = now;
      return;
    }
    worker_lost(hello.worker_id, "it restarted");
  }
  WorkerStatus& w = workers_[hello.worker_id];
  // A process the broker had given up on says hello again: what it had not
  // delivered is still its to deliver (and to account for if it is lost again).
  const bool same_process = w.pid == hello.pid && w.host == hello.host && !w.alive;
  std::vector<UndeliveredDone> undelivered = same_process ? std::move(w.undelivered) : std::vector<UndeliveredDone>{};
  const std::uint64_t acked_seq = same_process ? w.acked_seq : 0;
  w = WorkerStatus{};
  w.undelivered = std::move(undelivered);
  w.acked_seq = acked_seq;
  w.acked_at = now;
  w.id = hello.worker_id;
  w.host = hello.host;
  w.pid = hello.pid;
  w.slots = std::max<std::uint32_t>(hello.slots, 1);
  w.last_seen = now;
}

std::vector<AssignmentRef> Scheduler::heartbeat(const Heartbeat& hb, Clock::time_point now, bool& known) {
  std::vector<AssignmentRef> to_cancel;
  auto it = workers_.find(hb.worker_id);
  known = it != workers_.end() && it->second.alive;
  if (!known) {
    to_cancel = hb.running;  // a forgotten worker runs nothing of ours any more
    return to_cancel;
  }
  WorkerStatus& w = it->second;
  w.last_seen = now;
  w.last_seq = std::max(w.last_seq, hb.last_seq);
  if (hb.acked_seq > w.acked_seq) {
    w.acked_seq = hb.acked_seq;
    w.acked_at = now;
    std::erase_if(w.undelivered, [&](const UndeliveredDone& d) { return d.last_seq <= w.acked_seq; });
  }
  w.draining = w.draining || hb.draining;

  std::set<std::uint64_t> reported;
  for (const AssignmentRef& ref : hb.running) {
    if (ref.id < assignments_.size() && current(w.id, ref.id, ref.attempt)) {
      reported.insert(ref.id);
    } else {
      to_cancel.push_back(ref);
    }
  }
  for (const AssignmentCounts& counts : hb.counts)
    if (AssignmentStatus* a = current(w.id, counts.id, counts.attempt)) set_live(*a, counts.nodes, counts.skipped);
  // An assignment the worker should have by now but does not mention was lost on the way.
  std::vector<std::uint64_t> lost;
  for (std::uint64_t id : w.assigned) {
    const AssignmentStatus& a = assignments_[id];
    if (!reported.count(id) && a.state == AssignmentState::dispatched &&
        now - a.dispatched_at > policy_.dispatch_grace)
      lost.push_back(id);
  }
  for (std::uint64_t id : lost) {
    w.assigned.erase(id);
    requeue_or_quarantine(assignments_[id], "its ASSIGN never reached worker " + w.id);
  }
  return to_cancel;
}

void Scheduler::bye(const Bye& bye) {
  auto it = workers_.find(bye.worker_id);
  if (it == workers_.end()) return;
  it->second.last_seq = std::max(it->second.last_seq, bye.last_seq);
  it->second.left = true;
  if (it->second.alive) worker_lost(bye.worker_id, "it left");
}

std::vector<std::string> Scheduler::expire(Clock::time_point now) {
  std::vector<std::string> dead;
  for (auto& [id, w] : workers_)
    if (w.alive && now - w.last_seen > policy_.worker_timeout) dead.push_back(id);
  for (const auto& id : dead) worker_lost(id, "it missed its heartbeats");
  return dead;
}

Clock::time_point Scheduler::next_expiry() const {
  Clock::time_point next = Clock::time_point::max();
  for (const auto& [id, w] : workers_)
    if (w.alive) next = std::min(next, w.last_seen + policy_.worker_timeout + std::chrono::milliseconds(1));
  return next;
}

void Scheduler::worker_lost(const std::string& worker_id, const std::string& why) {
  auto it = workers_.find(worker_id);
  if (it == workers_.end() || !it->second.alive) return;
  WorkerStatus& w = it->second;
  w.alive = false;
  if (!w.left) w.lost_reason = why;
  std::set<std::uint64_t> assigned;
  assigned.swap(w.assigned);
  for (std::uint64_t id : assigned) requeue_or_quarantine(assignments_[id], "worker " + worker_id + " was lost: " + why);
  // While the run goes on, what it finished but the sink may not have is run again too.
  if (state_ != RunState::running || complete()) return;
  for (const UndeliveredDone& d : w.undelivered) {
    AssignmentStatus& a = assignments_[d.id];
    if (a.state == AssignmentState::done && a.attempt == d.attempt && a.handed_back == 0)
      reopen(a, "worker " + worker_id + " was lost before the sink acknowledged the rows of attempt " +
                    std::to_string(d.attempt));
  }
}

void Scheduler::reopen(AssignmentStatus& a, const std::string& why) {
  nodes_ -= a.nodes;
  nodes_skipped_ -= a.skipped;
  a.nodes = a.failures = a.skipped = 0;
  --terminal_count_;
  a.state = AssignmentState::dispatched;  // as when its worker was lost while it ran
  requeue_or_quarantine(a, why);
}

SeqByWorker Scheduler::last_seqs() const {
  SeqByWorker out;
  for (const auto& [id, w] : workers_) out.emplace_back(id, w.last_seq);
  return out;
}

std::vector<UnconfirmedAttempt> Scheduler::unconfirmed() const {
  std::vector<UnconfirmedAttempt> out;
  for (const auto& [id, w] : workers_) {
    if (w.alive) continue;  // a live worker delivers everything (the sink waits for it)
    for (const UndeliveredDone& d : w.undelivered)
      if (std::find(superseded_.begin(), superseded_.end(), AssignmentRef{d.id, d.attempt}) == superseded_.end())
        out.push_back(UnconfirmedAttempt{id, d.id, d.attempt, d.records});
  }
  return out;
}

Clock::time_point Scheduler::goodbyes_due(Clock::time_point since, std::chrono::milliseconds patience) const {
  Clock::time_point due = since + patience;
  for (const auto& [id, w] : workers_)
    if (w.alive && w.acked_seq < w.last_seq) due = std::max(due, w.acked_at + patience);
  return due;
}

std::vector<std::string> Scheduler::live_workers() const {
  std::vector<std::string> out;
  for (const auto& [id, w] : workers_)
    if (w.alive) out.push_back(id);
  return out;
}

bool Scheduler::any_live_worker() const {
  return std::any_of(workers_.begin(), workers_.end(), [](const auto& entry) { return entry.second.alive; });
}

std::uint32_t Scheduler::idle_slots() const {
  std::uint32_t idle = 0;
  for (const auto& [id, w] : workers_)
    if (w.alive && !w.left && !w.draining) idle += w.free_slots();
  return idle;
}

}  // namespace ramify
