#include "sink/run_summary.hpp"

#include <algorithm>
#include <set>
#include <sstream>

#include <spdlog/fmt/fmt.h>

#include "protocol/record_fields.hpp"
#include "state/state_store.hpp"

namespace ramify {

namespace {

bool is_finding(const LogRecord& record) {
  return record.kind == RecordKind::log && record.msg == "finding" && !record.err.empty();
}

}  // namespace

void RunSummary::Listed::add(Failure item) {
  ++count_by_attempt[{item.attempt.id, item.attempt.attempt}];
  if (kept.size() < kKept) kept.push_back(std::move(item));
}

void RunSummary::Listed::drop(const std::set<std::pair<std::uint64_t, std::uint32_t>>& attempts) {
  for (const auto& key : attempts) count_by_attempt.erase(key);
  std::erase_if(kept, [&](const Failure& f) { return attempts.count({f.attempt.id, f.attempt.attempt}) > 0; });
}

std::vector<std::string> RunSummary::Listed::first(std::size_t limit) const {
  std::vector<Failure> sorted = kept;
  std::stable_sort(sorted.begin(), sorted.end(), [](const Failure& a, const Failure& b) { return a.ts_us < b.ts_us; });
  std::vector<std::string> out;
  for (std::size_t i = 0; i < sorted.size() && i < limit; ++i) out.push_back(sorted[i].text);
  return out;
}

std::uint64_t RunSummary::Listed::count() const {
  std::uint64_t n = 0;
  for (const auto& [attempt, count] : count_by_attempt) n += count;
  return n;
}

void RunSummary::add(const std::string& worker, const LogRecord& record) {
  ++records_per_worker_[worker];
  if (is_finding(record))
    findings_.add(Failure{record.ts_us, record.container_type + " " + record.container_id + ": " + record.err,
                          AssignmentRef{record.assignment, record.attempt}});
  if (record.kind != RecordKind::outcome) return;
  const auto depth = static_cast<std::size_t>(std::count(record.search_key.begin(), record.search_key.end(), '/'));
  auto [it, inserted] = levels_.try_emplace(record.container_type);
  if (inserted || depth < it->second.depth) it->second.depth = depth;
  StatusCounts& counts = it->second.by_attempt[{record.assignment, record.attempt}];
  switch (record.status) {
    case Status::ok: ++counts.ok; break;
    case Status::failed: ++counts.failed; break;
    case Status::skipped: ++counts.skipped; break;
  }
  if (record.status == Status::failed)
    failures_.add(Failure{record.ts_us, record.container_type + " " + record.container_id + ": " + record.err,
                          AssignmentRef{record.assignment, record.attempt}});
  // Carried over from an earlier run (state/): not among this run's slowest.
  const bool carried = worker == kStateWorker;
  if (!carried && record.start_us != 0 &&
      (slowest_.size() < kSlowestKept || record.duration_us > slowest_.rbegin()->first)) {
    slowest_.emplace(record.duration_us, Failure{record.ts_us, record.container_type + " " + record.container_id,
                                                 AssignmentRef{record.assignment, record.attempt}});
    if (slowest_.size() > kSlowestKept) slowest_.erase(std::prev(slowest_.end()));
  }
}

std::vector<std::string> RunSummary::slowest(std::size_t limit) const {
  std::vector<std::string> out;
  for (const auto& [us, node] : slowest_) {
    if (out.size() == limit) break;
    out.push_back(fmt::format("{:.3f} s {}", static_cast<double>(us) / 1e6, node.text));
  }
  return out;
}

void RunSummary::add_final(const LogRecord& record) {
  std::string line = record.container_id.empty() ? "" : record.container_type + " " + record.container_id + ": ";
  line += record.err.empty() ? record.msg : record.err;
  line += fields_text(record.fields);
  if (is_finding(record)) {
    findings_.add(Failure{record.ts_us, line, AssignmentRef{}});
  } else if (record.severity == Severity::error) {
    failures_.add(Failure{record.ts_us, line, AssignmentRef{}});
  }
  final_lines_.push_back(std::move(line));
}

void RunSummary::drop_attempts(const std::vector<AssignmentRef>& attempts) {
  std::set<std::pair<std::uint64_t, std::uint32_t>> drop;
  for (const auto& a : attempts) drop.emplace(a.id, a.attempt);
  for (auto& [level, counts] : levels_)
    for (const auto& key : drop) counts.by_attempt.erase(key);
  failures_.drop(drop);
  findings_.drop(drop);
  std::erase_if(slowest_, [&](const auto& entry) {
    return drop.count({entry.second.attempt.id, entry.second.attempt.attempt}) > 0;
  });
}

std::vector<std::pair<std::string, StatusCounts>> RunSummary::by_level() const {
  std::vector<std::tuple<bool, std::size_t, std::string, StatusCounts>> rows;
  for (const auto& [level, counts] : levels_) {
    StatusCounts sum;
    for (const auto& [key, c] : counts.by_attempt) {
      sum.ok += c.ok;
      sum.failed += c.failed;
      sum.skipped += c.skipped;
    }
    if (sum.total() == 0) continue;
    rows.emplace_back(level == "file", counts.depth, level, sum);
  }
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
    return std::tie(std::get<0>(a), std::get<1>(a), std::get<2>(a)) <
           std::tie(std::get<0>(b), std::get<1>(b), std::get<2>(b));
  });
  std::vector<std::pair<std::string, StatusCounts>> out;
  for (auto& row : rows) out.emplace_back(std::get<2>(row), std::get<3>(row));
  return out;
}

StatusCounts RunSummary::totals() const {
  StatusCounts sum;
  for (const auto& [level, c] : by_level()) {
    sum.ok += c.ok;
    sum.failed += c.failed;
    sum.skipped += c.skipped;
  }
  return sum;
}

std::vector<std::string> RunSummary::failures(std::size_t limit) const { return failures_.first(limit); }
std::uint64_t RunSummary::failure_count() const { return failures_.count(); }
std::vector<std::string> RunSummary::findings(std::size_t limit) const { return findings_.first(limit); }
std::uint64_t RunSummary::finding_count() const { return findings_.count(); }

std::string RunSummary::render(const Footer& footer) const {
  std::ostringstream out;
  const StatusCounts total = totals();
  const bool stopped = footer.broker_failure.starts_with("stopped by ");
  const std::uint64_t finding_total = finding_count();
  const std::string found = finding_total > 0 ? fmt::format(" ({} finding(s))", finding_total) : "";
  out << fmt::format("\nramify run {}: {}{}\n", footer.run_id,
                     footer.status == 0 ? "ok" : stopped ? footer.broker_failure : "FAILED", found);
  out << fmt::format("  {:<16}{:>10}{:>10}{:>10}\n", "level", "ok", "failed", "skipped");
  for (const auto& [level, c] : by_level())
    out << fmt::format("  {:<16}{:>10}{:>10}{:>10}\n", level, c.ok, c.failed, c.skipped);
  out << fmt::format("  {:<16}{:>10}{:>10}{:>10}\n", "all", total.ok, total.failed, total.skipped);
  if (!footer.since_last_run.empty()) out << footer.since_last_run << "\n";
  out << fmt::format("nodes: {} in {:.2f} s ({:.0f} nodes/s)\n", total.total(), footer.elapsed_seconds,
                     footer.elapsed_seconds > 0 ? static_cast<double>(total.total()) / footer.elapsed_seconds : 0.0);
  if (!final_lines_.empty()) {
    out << "results:\n";
    const std::size_t shown = std::min<std::size_t>(final_lines_.size(), 20);
    for (std::size_t i = 0; i < shown; ++i) out << "  " << final_lines_[i] << "\n";
    if (shown < final_lines_.size()) out << "  (" << final_lines_.size() - shown << " more in the report)\n";
  }
  constexpr std::size_t kListed = 5;
  auto failed = failures(kListed);
  if (failed.empty() && !footer.broker_failure.empty())
    out << (stopped ? "the run was " : "first failure: ") << footer.broker_failure << "\n";
  if (!failed.empty()) {
    out << "first failure: " << failed.front() << "\n";
    for (std::size_t i = 1; i < failed.size(); ++i) out << "   also failed: " << failed[i] << "\n";
    const std::uint64_t failed_total = failure_count();
    if (failed_total > failed.size())
      out << fmt::format("   and {} more failure(s): {} in all (status \"failed\" in the report)\n",
                         failed_total - failed.size(), failed_total);
  }
  const auto slow = slowest(kListed);
  if (!slow.empty()) {
    out << "slowest: " << slow.front() << "\n";
    for (std::size_t i = 1; i < slow.size(); ++i) out << "         " << slow[i] << "\n";
  }
  if (finding_total > 0) {
    auto found_list = findings(kListed);
    out << fmt::format("findings: {} (log rows with msg \"finding\" in the report)\n", finding_total);
    for (const auto& text : found_list) out << "  " << text << "\n";
    if (finding_total > found_list.size())
      out << fmt::format("  and {} more finding(s)\n", finding_total - found_list.size());
  }
  out << "records per worker:";
  for (const auto& [worker, count] : records_per_worker_) out << " " << worker << "=" << count;
  out << "\n";
  if (footer.redispatched > 0)
    out << "re-dispatched: " << footer.redispatched << " attempt(s) whose worker was lost (their rows were replaced)\n";
  if (footer.handed_back > 0)
    out << "handed back by draining workers: " << footer.handed_back
        << " assignment(s) or their rests (resumed elsewhere; their rows stand)\n";
  if (footer.dead_worker_records > 0)
    out << "records that died with a worker: " << footer.dead_worker_records << " (their assignments were run again)\n";
  if (footer.skipped_assignments > 0)
    out << "assignments skipped, done by an earlier run: " << footer.skipped_assignments << "\n";
  // Records lost on the way count only when the report could be written at all.
  if (footer.report_error.empty()) out << "log records lost: " << footer.lost << "\n";
  out << "report: " << (footer.report_path.empty() ? "none (no report file was asked for)" : footer.report_path) << "\n";
  if (!footer.report_error.empty()) out << "report NOT complete: " << footer.report_error << "\n";
  return out.str();
}

}  // namespace ramify
