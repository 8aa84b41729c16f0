#include "sink/sink_run.hpp"

#include <spdlog/fmt/fmt.h>

#include "util/errors.hpp"
#include "util/json_reader.hpp"

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
    if (!trackers[row.worker].accept(row.seq)) return;
    attempt_rows[row.worker].add(row.record.assignment, row.record.attempt);
    summary.add(row.worker, row.record);
  });
}

void SinkRun::write(const ReportRow& row) {
  if (!state || !report_error.empty()) return write_row(row);
  try {
    if (row.record.kind == RecordKind::carried) {
      // A plain carried row goes to a JSON Lines report as its stored JSON;
      // any other (or to another format, or for metrics) is read back whole.
      const bool as_json = report && report->takes_json_lines() && !metrics;
      state->carry(row.run, row.record, [&](const CarriedRow& carried) {
        const std::uint64_t seq = ++state_rows_;
        if (carried.plain && as_json) return write_carried_json(row.run, seq, carried);
        ReportRow out;
        try {
          out = report_row_from_json(parse_json(carried_line(row.run, seq, carried)));
        } catch (const DecodeError& e) {
          throw WriteError("state store " + state->path() + ": a stored row of " + carried.record.search_key +
                           " does not read back: " + e.what());
        }
        write_row(out);
      });
      return;
    }
    if (!row.record.container_id.empty())  // a later run may carry it over: its JSON is kept in parts
      state->record(row.run, row.record, carried_json_parts(row.record));
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
  count_row(row.worker, row.record);
}

const std::string& SinkRun::carried_line(const std::string& run, std::uint64_t seq, const CarriedRow& row) {
  line_.clear();
  append_carried_row_json(line_, row.json, row.record.severity, run, state_worker_, seq, row.record.assignment,
                          row.record.attempt);
  return line_;
}

void SinkRun::write_carried_json(const std::string& run, std::uint64_t seq, const CarriedRow& row) {
  if (report && report_error.empty()) {
    carried_line(run, seq, row);
    line_ += '\n';
    try {
      report->write_json_line(line_);
    } catch (const WriteError& e) {
      report_failed(e.what());
    }
  }
  count_row(state_worker_, row.record);
}

void SinkRun::count_row(const std::string& worker, const LogRecord& record) {
  if (metrics && report_error.empty()) metrics->written(record);
  if (report_error.empty()) digest.written(worker, record);
  summary.add(worker, record);
  if (!options.quiet) console_.print(worker, record);
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
  return undelivered_done().empty();
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
  // A dead worker's rows count as run again only when their attempt was.
  for (const auto& [worker, rows] : undelivered_done()) {
    lost += rows;
    with_dead -= std::min(with_dead, rows);
  }
  return {lost, with_dead};
}

std::map<std::string, std::uint64_t> SinkRun::undelivered_done() const {
  std::map<std::string, std::uint64_t> out;
  if (!finish) return out;
  for (const UnconfirmedAttempt& done : finish->unconfirmed) {
    const auto it = attempt_rows.find(done.worker);
    const std::uint64_t have = it == attempt_rows.end() ? 0 : it->second.of(done.id, done.attempt);
    if (have < done.records) out[done.worker] += done.records - have;
  }
  return out;
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
        StateStore::Conclusion c = state->conclude(run_id, finish->superseded, whole, finish->assignment_digests);
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
