#pragma once
// One run as the broker holds it, free of sockets: the job, its hierarchy,
// the scheduler, the journal, the sink as seen from here, and what more than
// one channel reads or changes (which key owns which worker id, what
// finalize_run logged). The work, config and control channels and the run's
// phases (broker.cpp) share one BrokerRun.

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "broker/broker.hpp"
#include "broker/journal.hpp"
#include "broker/progress.hpp"
#include "broker/scheduler.hpp"
#include "broker/sink_watch.hpp"
#include "hierarchy/source_factory.hpp"
#include "state/stored_baseline.hpp"
#include "util/logging.hpp"

namespace ramify {

struct Peer;
class DashboardFeed;

class BrokerRun {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::uint32_t kSpecVersion = 1;

  // Validates the job; cheap, so that the sockets are bound before load().
  explicit BrokerRun(BrokerOptions options);
  // Reads the hierarchy, partitions it, resumes from the journal and builds
  // the scheduler. Throws ConfigError or SourceError.
  void load();

  const BrokerOptions options;
  const std::chrono::milliseconds interval;  // the heartbeat interval
  const Clock::time_point started_at = Clock::now();
  std::shared_ptr<spdlog::logger> log = logger("broker");
  std::string run_id;
  OpenedSource source;
  std::unique_ptr<Journal> journal;
  std::unique_ptr<Scheduler> scheduler;
  SinkWatch sink{""};
  // Incremental runs ([job] state): each level's curator fingerprint (empty:
  // not incremental), what the state store held when the run began (nothing
  // with rerun = all), and whether only what failed is curated again.
  std::map<std::string, std::string> level_stamps;
  StoredBaseline baseline;
  bool rerun_failed_only = false;
  // A manifest's assignments as dispatched (broker/assignment_digest.hpp):
  // their digests by assignment id, and how many were carried whole.
  std::unordered_map<std::uint64_t, std::string> assignment_digests;
  std::uint64_t carried_whole = 0;
  static constexpr std::size_t kDigestBytes = std::size_t{4} << 20;  // in the finish, at most
  std::map<std::string, std::string> worker_keys;  // worker id -> the key that first used it
  std::vector<LogRecord> final_records;            // what the curator's finalize_run logged
  DashboardFeed* dashboard = nullptr;  // with --http (owned by the broker): told of failures and the sink's beats

  // Whether work may go out now: a sink of this run joined (or --no-sink).
  // A run that finds no sink by --sink-timeout is aborted.
  bool may_dispatch(Clock::time_point now);
  Clock::time_point sink_deadline() const { return sink_deadline_; }
  // Once a beat: a run with work to dispatch and no live worker for
  // --worker-wait is aborted.
  void fail_without_workers(Clock::time_point now);
  // Records the assignments whose state changed; a journal that cannot be
  // written fails the run.
  void sync_journal();
  void journal_failed(const std::string& why);

  // Something an admitted key may not do: counted, the first ten logged, never acted on.
  void refused(const Peer& peer, const std::string& what);

  Kill kill_message() const;
  Finish finish_message() const;
  ControlHeartbeat heartbeat() const;
  ProgressFigures figures() const;
  StatusReply status() const;

 private:
  Clock::time_point sink_deadline_{};
  Clock::time_point workerless_since_{};
  std::uint64_t refused_requests_ = 0;
};

}  // namespace ramify
