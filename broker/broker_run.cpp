#include "broker/broker_run.hpp"

#include <optional>

#include "broker/partitioner.hpp"
#include "net/security.hpp"
#include "net/sockets.hpp"
#include "state/level_stamps.hpp"
#include "util/errors.hpp"

namespace ramify {

BrokerRun::BrokerRun(BrokerOptions opts)
    : options((opts.spec.validate(), std::move(opts))), interval(options.spec.heartbeat_interval()),
      run_id(random_hex(8)) {}

void BrokerRun::load() {
  source = open_source(options.spec);
  PartitionOptions partitioning = partition_options(options.spec, source.manifest != nullptr);
  partitioning.with_nodes = false;  // a manifest's nodes are gathered when an assignment goes out
  auto assignments = partition(*source.source, partitioning, source.manifest);

  std::vector<RestoredAssignment> restored;
  const std::string journal_path = options.spec.get("job", "journal");
  if (!journal_path.empty()) {
    journal = std::make_unique<Journal>(journal_path, job_digest(options.spec));
    const bool same_run = journal->run_id() && !journal->run_ended();
    if (same_run) run_id = *journal->run_id();
    restored = restore_from(*journal, assignments, same_run);
  }

  SchedulerPolicy policy;
  policy.on_failure = options.spec.on_failure();
  policy.max_failures = options.spec.max_failures();
  policy.max_attempts = options.spec.max_attempts();
  policy.worker_timeout = interval * options.spec.liveness();
  policy.dispatch_grace = interval * 2;
  scheduler = std::make_unique<Scheduler>(std::move(assignments), policy, restored);
  if (journal) {
    journal->begin_run(run_id, scheduler->assignments());
    if (!restored.empty())
      log->info("journal {}: {} of {} assignment(s) already done{}", journal->path(),
                scheduler->count(AssignmentState::done), scheduler->assignments().size(),
                scheduler->skipped_from_earlier_run() > 0 ? " by an earlier run, skipped" : ", resuming the run");
  }
  const std::string state_path = options.spec.get("job", "state");
  std::optional<std::string> expected_state;  // the store the sink must keep (none without one)
  if (!state_path.empty()) {
    const std::string rerun = options.spec.get("job", "rerun");
    level_stamps = curator_stamps(options.spec, run_id);
    baseline = StoredBaseline::load(state_path);
    expected_state = baseline.store_id();
    rerun_failed_only = rerun == "failed";
    if (rerun == "all") baseline = StoredBaseline{};  // refreshes the store: everything is curated
    log->info("state store {}: {} (rerun = {})", state_path,
              expected_state->empty() ? "none yet, made by the sink" : "store " + *expected_state, rerun);
  }
  sink = SinkWatch(run_id, expected_state);
  sink_deadline_ = Clock::now() + options.sink_timeout;
  workerless_since_ = Clock::now();
}

bool BrokerRun::may_dispatch(Clock::time_point now) {
  if (options.no_sink || sink.joined()) return true;
  if (now >= sink_deadline_ && !scheduler->complete())
    scheduler->abort("no sink joined the run within " + std::to_string(options.sink_timeout.count() / 1000) +
                     " s (start `ramify sink --broker HOST`, or run the broker with --no-sink)");
  return false;
}

void BrokerRun::fail_without_workers(Clock::time_point now) {
  if (scheduler->state() != RunState::running || scheduler->any_live_worker() ||
      !(options.no_sink || sink.joined())) {
    workerless_since_ = now;
    return;
  }
  if (now - workerless_since_ >= options.worker_wait)
    scheduler->abort("no live worker for " + std::to_string(options.worker_wait.count() / 1000) +
                     " s with work left (start `ramify worker --broker HOST`, or give the broker a longer "
                     "--worker-wait)");
}

// One transaction per call, of every assignment whose state changed.
void BrokerRun::sync_journal() {
  std::vector<std::uint64_t> changed = scheduler->take_changed();
  if (!journal || changed.empty()) return;
  std::vector<const AssignmentStatus*> rows;
  for (std::uint64_t id : changed) rows.push_back(&scheduler->assignments()[id]);
  try {
    journal->record(rows);
  } catch (const WriteError& e) {
    journal_failed(e.what());
  }
}

void BrokerRun::journal_failed(const std::string& why) {
  log->error("{}; the run cannot be resumed from it", why);
  journal.reset();
  if (!scheduler->complete()) {
    scheduler->abort(why);
  } else {
    scheduler->fail_run(why);
  }
}

void BrokerRun::refused(const Peer& peer, const std::string& what) {
  ++refused_requests_;
  if (refused_requests_ <= 10) log->warn("refused {} from {}", what, peer.describe());
}

Kill BrokerRun::kill_message() const {
  return Kill{kProtocolVersion, run_id, "", scheduler->first_failure(), !sink.error().empty()};
}

Finish BrokerRun::finish_message() const {
  Finish finish;
  finish.run_id = run_id;
  finish.status = scheduler->exit_status();
  finish.last_seq = scheduler->last_seqs();
  finish.superseded = scheduler->superseded();
  finish.handed_back = scheduler->handed_back();
  for (const auto& [id, w] : scheduler->workers())
    if (!w.alive && !w.lost_reason.empty()) finish.dead_workers.push_back(id);
  finish.unconfirmed = scheduler->unconfirmed();
  finish.skipped_assignments = scheduler->skipped_from_earlier_run();
  finish.final_records = final_records;
  finish.first_failure = scheduler->first_failure();
  finish.whole = scheduler->state() == RunState::finished &&
                 scheduler->count(AssignmentState::done) == scheduler->assignments().size();
  // What rerun = failed carries is not compared with the manifest: its digests would not hold.
  // The finish must stay far below a control message's limit: past kDigestBytes, the
  // rest are not kept (those assignments are compared node by node next time).
  std::size_t digest_bytes = 0;
  if (!rerun_failed_only)
    for (const auto& [id, digest] : assignment_digests) {
      const AssignmentStatus& a = scheduler->assignments()[id];
      if (a.state != AssignmentState::done || a.failures > 0 || a.handed_back > 0 || digest.empty()) continue;
      std::string key = search_key_of(a.spec.ancestors, a.spec.root);
      digest_bytes += key.size() + digest.size() + 8;
      if (digest_bytes > kDigestBytes) break;
      finish.assignment_digests.emplace_back(std::move(key), digest);
    }
  return finish;
}

ControlHeartbeat BrokerRun::heartbeat() const {
  ControlHeartbeat hb;
  hb.run_id = run_id;
  hb.state = scheduler->state();
  hb.spec_version = kSpecVersion;
  hb.idle_slots = scheduler->idle_slots();
  hb.queued = scheduler->queued();
  return hb;
}

ProgressFigures BrokerRun::figures() const {
  ProgressFigures f;
  f.assignments = scheduler->assignments().size();
  for (const auto& a : scheduler->assignments()) {
    switch (a.state) {
      case AssignmentState::done: ++f.assignments_done; break;
      case AssignmentState::running:
      case AssignmentState::dispatched: ++f.assignments_running; break;
      case AssignmentState::abandoned: ++f.assignments_not_run; break;
      case AssignmentState::quarantined: ++f.assignments_quarantined; break;
      default: break;
    }
  }
  f.nodes = scheduler->nodes();
  f.failures = scheduler->failures();
  f.workers = static_cast<std::uint32_t>(scheduler->live_workers().size());
  f.state = scheduler->state();
  f.stop_reason = scheduler->stop_reason();
  return f;
}

StatusReply BrokerRun::status() const {
  StatusReply reply;
  reply.run_id = run_id;
  reply.state = scheduler->state();
  reply.assignments = scheduler->assignments().size();
  reply.assignments_done = scheduler->count(AssignmentState::done);
  reply.assignments_failed = scheduler->count(AssignmentState::quarantined);
  reply.assignments_running =
      scheduler->count(AssignmentState::running) + scheduler->count(AssignmentState::dispatched);
  reply.nodes = scheduler->nodes();
  reply.failures = scheduler->failures();
  reply.workers_alive = static_cast<std::uint32_t>(scheduler->live_workers().size());
  reply.first_failure = scheduler->first_failure();
  reply.exit_status = scheduler->complete() ? scheduler->exit_status() : -1;
  for (auto state : {AssignmentState::waiting, AssignmentState::queued, AssignmentState::dispatched,
                     AssignmentState::running, AssignmentState::done, AssignmentState::quarantined,
                     AssignmentState::abandoned})
    reply.assignments_by_state.emplace_back(to_string(state), scheduler->count(state));
  reply.nodes_failed = scheduler->nodes_failed();
  reply.nodes_skipped = scheduler->nodes_skipped();
  reply.run_failures = scheduler->run_failures();
  const auto now = Clock::now();
  for (const auto& [id, w] : scheduler->workers()) {
    WorkerInfo info;
    info.id = id;
    info.host = w.host;
    info.pid = w.pid;
    info.slots = w.slots;
    info.running = static_cast<std::uint32_t>(w.assigned.size());
    info.alive = w.alive;
    info.last_seen_ms = std::chrono::duration_cast<std::chrono::milliseconds>(now - w.last_seen).count();
    info.lost_reason = w.lost_reason;
    reply.workers.push_back(std::move(info));
  }
  reply.elapsed_seconds = std::chrono::duration<double>(now - started_at).count();
  return reply;
}

}  // namespace ramify
