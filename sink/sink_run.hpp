#pragma once
// What the sink knows of the run it writes, free of sockets: the report and
// its first write error, the console, the summary, one sequence tracker per
// worker, the run's id and its finish. The log intake, the broker link and
// the conclusion (sink.cpp) share one SinkRun.

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "sink/attempt_rows.hpp"
#include "sink/console_printer.hpp"
#include "sink/report_file.hpp"
#include "sink/run_digest.hpp"
#include "sink/run_summary.hpp"
#include "sink/sequence_tracker.hpp"
#include "sink/sink_metrics.hpp"
#include "state/state_store.hpp"
#include "sink/sink.hpp"
#include "util/logging.hpp"

namespace ramify {

class SinkRun {
 public:
  using Clock = std::chrono::steady_clock;

  // Opens and locks the report (throws ConfigError); an appended report's rows
  // count as received.
  explicit SinkRun(SinkOptions options);

  const SinkOptions options;
  const Clock::time_point started_at = Clock::now();
  std::shared_ptr<spdlog::logger> log = logger("sink");
  std::unique_ptr<ReportFile> report;
  RunSummary summary;
  std::unique_ptr<StateStore> state;    // with --state: every node's rows, and what a rerun carries over
  std::string since_last_run;           // with --state, once concluded: what the run curated, carried, removed
  std::unique_ptr<SinkMetrics> metrics;  // with --metrics: counted from the rows written
  RunDigest digest;                      // for the broker's dashboard: from the rows written
  std::map<std::string, SequenceTracker> trackers;
  std::map<std::string, AttemptRows> attempt_rows;  // by worker, beside its tracker
  std::string run_id;
  std::optional<Finish> finish;
  std::set<std::string> existing_runs;  // runs of the rows an appended report already held
  std::string report_error;             // why the report can no longer be completed ("" while it can)
  std::string ended_early;              // why the sink concluded before the run's finish
  bool beat_due = false;                // the broker must hear something at once

  // Writes a row (report, summary, console) and keeps it in the state store;
  // a `carried` marker writes the rows it carries over instead. A write error
  // becomes report_error.
  void write(const ReportRow& row);
  // A record of the finish (the run's finalize): into the summary and on the console.
  void add_final(const LogRecord& record);
  // From the first write error on, nothing more is written or acknowledged;
  // the broker hears of it at once and stops the run.
  void report_failed(const std::string& why);
  // Flushes what was written; false when the report failed (nothing may be acknowledged).
  bool flush();

  // Every worker that the finish names has delivered up to its last sequence
  // number, and every done attempt of a dead worker all of its rows.
  bool have_everything() const;
  // Records up to each worker's last sequence number that never arrived:
  // lost (from workers that left properly, or of a dead worker's done
  // attempts), and those of dead workers' attempts that were run again.
  std::pair<std::uint64_t, std::uint64_t> missing() const;
  // By dead worker: the rows of its done attempts that never arrived.
  std::map<std::string, std::uint64_t> undelivered_done() const;
  std::uint64_t received() const;
  // The finish's last rows, the outcome rows of attempts that were run again
  // removed, the state store concluded (`whole`: every assignment was done and
  // nothing was lost, so what was not seen is gone) and the report made
  // durable. Any failure becomes report_error.
  void complete_report(bool whole);

 private:
  void write_row(const ReportRow& row);
  // A plain row carried over, to a JSON Lines report as its stored JSON with
  // this run's fields (`seq` its number among the rows of worker "state").
  void write_carried_json(const std::string& run, std::uint64_t seq, const CarriedRow& row);
  // A carried row's JSON (in line_): its stored parts with this run's fields.
  const std::string& carried_line(const std::string& run, std::uint64_t seq, const CarriedRow& row);
  // The summary, the digest, the metrics and the console hear of a row written.
  void count_row(const std::string& worker, const LogRecord& record);
  std::string line_;  // a carried row's JSON line (its storage reused)
  const std::string state_worker_ = kStateWorker;
  ConsolePrinter console_;
  std::uint64_t state_rows_ = 0;  // rows the state store wrote (worker "state")
};

}  // namespace ramify
