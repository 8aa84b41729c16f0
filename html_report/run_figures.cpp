#include "html_report/run_figures.hpp"

#include <algorithm>
#include <charconv>
#include <tuple>

#include "sink/report_row.hpp"

namespace ramify {

namespace {

double number_field(const LogRecord& record, std::string_view key, bool& found) {
  for (const Field& field : record.fields) {
    if (field.key != key) continue;
    double value = 0;
    const auto [end, error] = std::from_chars(field.value.data(), field.value.data() + field.value.size(), value);
    found = error == std::errc{} && end == field.value.data() + field.value.size();
    return found ? value : 0;
  }
  found = false;
  return 0;
}

void widen(NodeSpan& span, std::int64_t start, std::int64_t end, Status status) {
  span.start_us = std::min(span.start_us, start);
  span.end_us = std::max(span.end_us, end);
  if (status == Status::failed) span.status = Status::failed;
}

}  // namespace

void RunFigures::add(const ReportRow& row) {
  const LogRecord& r = row.record;
  runs.insert(row.run);
  if (r.kind != RecordKind::outcome) {
    ++log_rows;
    if (r.severity >= Severity::warning) ++warnings;
    return;
  }
  const std::string& level = r.container_type;
  if (!outcomes.count(level)) levels.push_back(level);
  ++outcomes[level][r.status];
  if (r.status == Status::failed) {
    ++failed;
    if (failures.size() < kFailuresListed) failures.push_back({level, r.container_id, r.err, r.msg});
  }

  bool found = false;
  const double cpu_user = number_field(r, "cpu_user_seconds", found);
  if (found) {
    LevelResources& used = resources[level];
    ++used.commands;
    used.cpu_user_seconds += cpu_user;
    used.cpu_system_seconds += number_field(r, "cpu_system_seconds", found);
    used.max_rss_bytes = std::max(used.max_rss_bytes, number_field(r, "max_rss_bytes", found));
    used.read_bytes += number_field(r, "read_bytes", found);
    used.write_bytes += number_field(r, "write_bytes", found);
  }

  if (r.start_us <= 0) return;  // not timed (a report of an older ramify)
  const double seconds = static_cast<double>(r.duration_us) / 1e6;
  if (r.status != Status::skipped) durations[level].push_back(seconds);  // a skipped node's time says nothing
  const std::int64_t end = r.start_us + r.duration_us;
  first_start_us = first_start_us == 0 ? r.start_us : std::min(first_start_us, r.start_us);
  last_end_us = std::max(last_end_us, end);

  if (slowest.size() < kSlowestListed || seconds > slowest.back().seconds) {
    const SlowNode slow{seconds, level, r.container_id};
    slowest.insert(std::upper_bound(slowest.begin(), slowest.end(), slow,
                                    [](const SlowNode& a, const SlowNode& b) { return a.seconds > b.seconds; }),
                   slow);
    if (slowest.size() > kSlowestListed) slowest.pop_back();
  }

  const auto key = std::make_tuple(row.worker, r.assignment, r.attempt);
  auto [span, added] = assignment_spans_.try_emplace(
      key, NodeSpan{row.worker, "assignment " + std::to_string(r.assignment), r.status, r.start_us, end});
  if (!added) widen(span->second, r.start_us, end, r.status);
  if (node_spans_.size() <= kNodeBarsAtMost)
    node_spans_.push_back(NodeSpan{row.worker, r.container_id, r.status, r.start_us, end});
}

void RunFigures::finish() {
  spans_are_assignments = node_spans_.size() > kNodeBarsAtMost;
  if (spans_are_assignments) {
    spans.clear();
    for (auto& [key, span] : assignment_spans_) spans.push_back(std::move(span));
  } else {
    spans = std::move(node_spans_);
  }
  node_spans_.clear();
  assignment_spans_.clear();
  std::sort(spans.begin(), spans.end(), [](const NodeSpan& a, const NodeSpan& b) {
    return std::tie(a.worker, a.start_us, a.end_us) < std::tie(b.worker, b.start_us, b.end_us);
  });
  for (auto& [level, seconds] : durations) std::sort(seconds.begin(), seconds.end());
}

std::uint64_t RunFigures::nodes() const {
  std::uint64_t n = 0;
  for (const auto& [level, by_status] : outcomes)
    for (const auto& [status, count] : by_status) n += count;
  return n;
}

std::uint64_t RunFigures::nodes_with(Status status) const {
  std::uint64_t n = 0;
  for (const auto& [level, by_status] : outcomes) {
    const auto found = by_status.find(status);
    if (found != by_status.end()) n += found->second;
  }
  return n;
}

}  // namespace ramify
