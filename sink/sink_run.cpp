#include "sink/sink_run.hpp"

#include <spdlog/fmt/fmt.h>

#include "util/errors.hpp"

namespace ramify {

SinkRun::SinkRun(SinkOptions opts) : options(std::move(opts)), console_(stderr, options.colour) {
  if (!options.state.empty()) state = std::make_unique<StateStore>(options.state);
  if (!options.metrics.empty()) {
    metrics = std::make_unique<SinkMetrics>(options.metrics);
    log->info("metrics on {}", metrics->url());
  }
  if (options.report.empty()) return;
  const ExistingReport existing =
      options.append ? ExistingReport::append : options.force ? ExistingReport::replace : ExistingReport::refuse;
  report = open_report(options.report, existing, [this](const ReportRow& row) {
    existing_runs.insert(row.run);
    if (trackers[row.worker].accept(row.seq)) summary.add(row.worker, row.record);
  });
}

static double g_carry=0,g_write=0,g_record=0; static std::uint64_t g_rows=0;
struct Dump{~Dump(){fprintf(stderr,"PROFILE carry-sql+decode %.3f write_row %.3f record %.3f rows %lu\n",g_carry-g_write,g_write,g_record,static_cast<unsigned long>(g_rows));}} g_dump;
static double nowd(){return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();}
void SinkRun::write(const ReportRow& row) {
  if (!state || !report_error.empty()) return write_row(row);
  try {
    if (row.record.kind == RecordKind::carried) {
      double t0=nowd();
      state->carry(row.run, row.record, [&](LogRecord&& carried) {
        double t1=nowd();
        write_row(ReportRow{row.run, kStateWorker, ++state_rows_, std::move(carried)});
        g_write+=nowd()-t1; ++g_rows;
      });
      g_carry+=nowd()-t0;
      return;
    }
    double t0=nowd();
    state->record(row.run, row.record);
    g_record+=nowd()-t0;
  } catch (const WriteError& e) {
    report_failed(e.what());
  }
  write_row(row);
}

void SinkRun::write_row(const ReportRow& row) {
  if (row.record.kind == RecordKind::carried) return;  // a marker without a store: never a report row
  if (report && report_error.empty()) {
    try {
      report->write(row);
    } catch (const WriteError& e) {
      report_failed(e.what());
    }
  }
  if (metrics && report_error.empty()) metrics->written(row.record);
  if (report_error.empty()) digest.written(row.worker, row.record);
  summary.add(row.worker, row.record);
  if (!options.quiet) console_.print(row.worker, row.record);
}

void SinkRun::add_final(const LogRecord& record) {
  summary.add_final(record);
  if (!options.quiet) console_.print("broker", record);
}

void SinkRun::report_failed(const std::string& why) {
  if (!report_error.empty()) return;
  report_error = why;
  log->error("{}; acknowledging nothing more", why);
  beat_due = true;
}

bool SinkRun::flush() {
  if (report && report_error.empty()) {
    try {
      report->flush();
    } catch (const WriteError& e) {
      report_failed(e.what());
    }
  }
  return report_error.empty();
}

bool SinkRun::have_everything() const {
  const std::set<std::string> dead(finish->dead_workers.begin(), finish->dead_workers.end());
  for (const auto& [worker, last] : finish->last_seq) {
    if (dead.count(worker)) continue;
    auto it = trackers.find(worker);
    const std::uint64_t have = it == trackers.end() ? 0 : it->second.contiguous();
    if (have < last) return false;
  }
  return true;
}

std::pair<std::uint64_t, std::uint64_t> SinkRun::missing() const {
  std::uint64_t lost = 0, with_dead = 0;
  if (!finish) return {0, 0};
  const std::set<std::string> dead(finish->dead_workers.begin(), finish->dead_workers.end());
  for (const auto& [worker, last] : finish->last_seq) {
    auto it = trackers.find(worker);
    const std::uint64_t n = it == trackers.end() ? last : it->second.missing_through(last);
    (dead.count(worker) ? with_dead : lost) += n;
  }
  return {lost, with_dead};
}

std::uint64_t SinkRun::received() const {
  std::uint64_t records = 0;
  for (const auto& [worker, tracker] : trackers) records += tracker.received();
  return records;
}

void SinkRun::complete_report(bool whole) {
  if (!report_error.empty()) return;
  try {
    if (finish) {
      for (std::size_t i = 0; i < finish->final_records.size(); ++i)
        if (report) report->write(ReportRow{run_id, "broker", i + 1, finish->final_records[i]});
      if (state) {
        StateStore::Conclusion c = state->conclude(run_id, finish->superseded, whole);
        for (LogRecord& removed : c.removed) write_row(ReportRow{run_id, kStateWorker, ++state_rows_, std::move(removed)});
        if (!report_error.empty()) return;
        since_last_run = fmt::format("since the last run: {} node(s) curated ({} new), {} carried over (cached), {}",
                                     c.curated, c.fresh, c.carried,
                                     whole ? std::to_string(c.removed.size()) + " removed"
                                           : std::string("removed ones not counted (not every assignment was done)"));
      }
      if (report) {
        const std::uint64_t removed = report->drop_outcomes(finish->superseded);
        if (removed > 0) log->info("removed {} outcome row(s) of attempts that were run again", removed);
      }
    }
    if (report) report->finish();
  } catch (const WriteError& e) {
    report_failed(e.what());
  }
}

}  // namespace ramify
