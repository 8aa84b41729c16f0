#pragma once
// The broker's bookkeeping, free of sockets: which assignment is where, which
// workers are alive, what the failure policy says. Every message from a
// worker names (assignment, attempt); only the current attempt on the worker
// it was given to counts, so late results from an older attempt are ignored.

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "broker/partitioner.hpp"
#include "protocol/messages.hpp"
#include "spec/job_spec.hpp"

namespace ramify {

using Clock = std::chrono::steady_clock;

enum class AssignmentState {
  waiting,      // its `after` assignment is not done yet
  queued,       // ready for the next free slot
  dispatched,   // sent to a worker, not started yet
  running,      // the worker said STARTED
  done,         // the worker said DONE (complete, or stopped by the abort)
  quarantined,  // lost its worker max_attempts times
  abandoned,    // never finished because the run was stopped
};
const char* to_string(AssignmentState state);

struct AssignmentStatus {
  AssignmentSpec spec;
  AssignmentState state = AssignmentState::waiting;
  std::uint32_t attempt = 0;  // the current attempt; 0 = never dispatched
  std::string worker;
  std::uint32_t lost_workers = 0;
  std::uint64_t nodes = 0;
  std::uint64_t failures = 0;
  std::uint64_t skipped = 0;
  std::uint64_t live_nodes = 0;    // while it runs: nodes its worker says it curated so far
  std::uint64_t live_skipped = 0;  // ... and how many of those were skipped
  std::vector<std::pair<std::string, std::string>> root_fields;  // what the curator recorded on the root
  Data root_data;  // the root's data after curation: what the assignments below it start with
  // Where the next attempt resumes when a draining worker handed the rest
  // back (the counts above then already hold the nodes curated before it).
  std::uint64_t skip = 0;
  OpenData resume_data;
  std::uint32_t handed_back = 0;  // times a draining worker handed it back
  Clock::time_point dispatched_at{};
  bool terminal() const {
    return state == AssignmentState::done || state == AssignmentState::quarantined ||
           state == AssignmentState::abandoned;
  }
};

// A done attempt whose rows the worker had not yet seen acknowledged (by its heartbeats' acked_seq).
struct UndeliveredDone {
  std::uint64_t id = 0;
  std::uint32_t attempt = 0;
  std::uint64_t last_seq = 0;
  std::uint64_t records = 0;
};

struct WorkerStatus {
  std::string id;
  std::string host;
  std::int64_t pid = 0;
  std::uint32_t slots = 0;
  std::set<std::uint64_t> assigned;
  Clock::time_point last_seen{};
  std::uint64_t last_seq = 0;
  bool alive = true;
  bool left = false;  // said BYE
  bool draining = false;  // takes no more work (its heartbeat said so)
  std::string lost_reason;  // why it was declared dead (empty after a goodbye)
  std::uint64_t acked_seq = 0;           // the sink acknowledged 1..acked_seq (its last heartbeat said)
  Clock::time_point acked_at{};          // when acked_seq last grew (or it joined)
  std::vector<UndeliveredDone> undelivered;  // done attempts with rows past acked_seq
  std::uint32_t free_slots() const {
    return assigned.size() >= slots ? 0 : slots - static_cast<std::uint32_t>(assigned.size());
  }
};

struct Dispatch {
  std::uint64_t assignment = 0;
  std::uint32_t attempt = 0;
  std::string worker;
};

struct SchedulerPolicy {
  FailurePolicy on_failure = FailurePolicy::kill;
  std::uint64_t max_failures = 0;  // > 0: keep going until this many failures, then kill
  std::uint32_t max_attempts = 3;
  std::chrono::milliseconds worker_timeout{3000};   // silence after which a worker is dead
  std::chrono::milliseconds dispatch_grace{2000};   // an ASSIGN the worker never mentions is lost after this
};

// An assignment as an earlier broker left it (from the journal).
struct RestoredAssignment {
  std::uint64_t id = 0;
  bool done = false;         // not dispatched again
  bool earlier_run = false;  // done by an earlier, finished run: counted as skipped
  std::uint32_t attempt = 0; // the last attempt dispatched; its rows no longer count unless done
  std::uint64_t nodes = 0;
  std::uint64_t failures = 0;
  std::uint64_t skipped = 0;
};

class Scheduler {
 public:
  Scheduler(std::vector<AssignmentSpec> assignments, SchedulerPolicy policy,
            const std::vector<RestoredAssignment>& restored = {});

  // ---- workers ----
  // Registers a worker. A worker id that is already alive is a restart: the
  // old incarnation's assignments are dispatched again.
  void hello(const Hello& hello, Clock::time_point now);
  // Returns the attempts the worker runs that are no longer its own (to cancel).
  // `known` is false for a worker that is not (or no longer) registered.
  std::vector<AssignmentRef> heartbeat(const Heartbeat& heartbeat, Clock::time_point now, bool& known);
  void bye(const Bye& bye);
  // Declares dead every worker silent for longer than the timeout; returns their ids.
  std::vector<std::string> expire(Clock::time_point now);
  // When the next live worker will have been silent too long (max() when none).
  Clock::time_point next_expiry() const;
  // Declares one worker dead (its process is gone, or it cannot be reached):
  // what it ran is dispatched again, and so is, while the run goes on, what it
  // finished whose rows its heartbeats had not yet seen acknowledged.
  void worker_lost(const std::string& worker_id, const std::string& why);

  // ---- assignments ----
  // Assignments to send now: one per free slot, while the run dispatches.
  std::vector<Dispatch> next_dispatches(Clock::time_point now);
  bool started(const std::string& worker, const Started& started);
  bool node_failed(const std::string& worker, const NodeFailed& failed);
  bool done(const std::string& worker, const Done& done);

  // ---- the run ----
  // Stops the run from outside (a signal, an operator): as on_failure = kill.
  void abort(const std::string& why);
  // A failure of the run itself, after its assignments (the curator's finalize_run).
  void fail_run(const std::string& why);
  // The data an assignment starts with: its `after` assignment's root data.
  Data data_for(std::uint64_t id) const;
  // finished once every assignment has an outcome (unless aborted).
  RunState state() const {
    return complete() && state_ != RunState::aborted ? RunState::finished : state_;
  }
  bool complete() const { return terminal_count_ == assignments_.size(); }
  int exit_status() const;
  const std::string& first_failure() const { return first_failure_; }
  // Why dispatching stopped ("" while it goes on): the failure policy, or what aborted the run.
  const std::string& stop_reason() const { return stop_reason_; }
  // Every failure: failed nodes, quarantined assignments and failures of the run itself.
  std::uint64_t failures() const { return nodes_failed() + quarantined_ + run_failures_; }
  // Failures that belong to no node: quarantined assignments, the run's finalize, its journal.
  std::uint64_t run_failures() const { return quarantined_ + run_failures_; }
  // Assignments skipped because an earlier run did them.
  std::uint64_t skipped_from_earlier_run() const { return skipped_earlier_; }
  // Ids of the assignments whose state changed since the last call (for the journal).
  std::vector<std::uint64_t> take_changed();
  // Nodes curated so far: those of finished assignments, and what the
  // workers' heartbeats say of those that run (so the count moves per node).
  std::uint64_t nodes() const { return nodes_ + live_nodes_; }
  // Nodes that failed, as each failure is reported (an attempt that is run
  // again no longer counts its failures): what the policy counts, at once.
  std::uint64_t nodes_failed() const { return failed_nodes_.size() + restored_failures_; }
  std::uint64_t nodes_skipped() const { return nodes_skipped_ + live_skipped_; }
  std::uint64_t redispatched() const { return superseded_.size(); }
  // Assignments (or their rests) handed back by draining workers: dispatched again, no attempt counted.
  std::uint64_t handed_back() const { return handed_back_; }
  // Attempts whose rows do not count in the report (they were dispatched again).
  const std::vector<AssignmentRef>& superseded() const { return superseded_; }
  SeqByWorker last_seqs() const;
  // The dead workers' done attempts whose rows they had not seen acknowledged.
  std::vector<UnconfirmedAttempt> unconfirmed() const;
  // After the run: when the wait for the live workers' goodbyes ends, given
  // `since` (when they were told to stop): `patience` after that, or after
  // their last acknowledged record if later (a worker still delivering is
  // waited for while the sink takes its records).
  Clock::time_point goodbyes_due(Clock::time_point since, std::chrono::milliseconds patience) const;

  const std::vector<AssignmentStatus>& assignments() const { return assignments_; }
  const std::map<std::string, WorkerStatus>& workers() const { return workers_; }
  std::vector<std::string> live_workers() const;
  bool any_live_worker() const;
  std::size_t count(AssignmentState state) const;
  std::uint32_t idle_slots() const;
  std::size_t queued() const { return queue_.size(); }
  // Assignment ids in the order they would be dispatched now.
  std::vector<std::uint64_t> queue_order() const;

 private:
  AssignmentStatus* current(const std::string& worker, std::uint64_t id, std::uint32_t attempt);
  void finish_assignment(AssignmentStatus& a, AssignmentState state);
  void release_dependents(std::uint64_t id);
  void requeue_or_quarantine(AssignmentStatus& a, const std::string& why);
  // A done attempt whose rows may not all have reached the sink: undone, and dispatched again.
  void reopen(AssignmentStatus& a, const std::string& why);
  void take_back(AssignmentStatus& a, const Done& done);
  void add_counts(AssignmentStatus& a, const Done& done);
  void count_failure(const std::string& description);
  void stop_dispatching(RunState state);
  void touch(const AssignmentStatus& a) { changed_.insert(a.spec.id); }
  void set_live(AssignmentStatus& a, std::uint64_t nodes, std::uint64_t skipped);

  std::vector<AssignmentStatus> assignments_;
  std::multimap<std::uint64_t, std::uint64_t> dependents_;  // after -> waiting ids
  // Ready assignments: those dispatched again come first, in order; then the
  // heaviest first (largest first keeps the makespan close to the ideal).
  class ReadyQueue {
   public:
    void push(std::uint64_t id, std::uint64_t weight) { by_weight_.emplace(weight, id); }
    void push_front(std::uint64_t id) { again_.push_front(id); }
    bool empty() const { return again_.empty() && by_weight_.empty(); }
    std::size_t size() const { return again_.size() + by_weight_.size(); }
    std::uint64_t pop();
    std::vector<std::uint64_t> take_all();
    std::vector<std::uint64_t> order() const;

   private:
    std::deque<std::uint64_t> again_;
    std::multimap<std::uint64_t, std::uint64_t, std::greater<>> by_weight_;  // weight -> id
  };
  ReadyQueue queue_;
  std::map<std::string, WorkerStatus> workers_;
  SchedulerPolicy policy_;
  RunState state_ = RunState::running;
  std::size_t terminal_count_ = 0;
  std::uint64_t nodes_ = 0;
  std::uint64_t nodes_skipped_ = 0;
  std::uint64_t live_nodes_ = 0;    // the sum of live_nodes over running assignments
  std::uint64_t live_skipped_ = 0;
  std::map<std::string, AssignmentRef> failed_nodes_;  // node id -> the attempt it failed in
  std::string stop_reason_;
  std::uint64_t quarantined_ = 0;
  std::uint64_t abandoned_ = 0;
  bool aborted_from_outside_ = false;
  std::string first_failure_;
  std::vector<AssignmentRef> superseded_;
  std::uint64_t skipped_earlier_ = 0;
  std::uint64_t restored_failures_ = 0;
  std::uint64_t run_failures_ = 0;
  std::uint64_t handed_back_ = 0;
  std::set<std::uint64_t> changed_;
};

}  // namespace ramify
