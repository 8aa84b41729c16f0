#pragma once
// The HTML report's pictures, as inline SVG (no script, nothing loaded):
// the timeline of every slot on every worker, and a duration histogram.

#include <cstdint>
#include <string>
#include <vector>

#include "html_report/run_figures.hpp"

namespace ramify {

// The lane of each span (sorted by worker, then start): the first of its
// worker's lanes free at its start, so a worker gets as many lanes as it ran
// spans at once (its busy slots). Lanes are numbered across workers, a
// worker's after the previous worker's.
struct TimelineLanes {
  std::vector<std::size_t> lane_of;    // per span
  std::vector<std::string> worker_of;  // per lane
  std::vector<bool> first_of_worker;   // per lane
};
TimelineLanes timeline_lanes(const std::vector<NodeSpan>& spans);

// One row per lane (timeline_lanes); bars coloured by status, each naming its
// node and duration in a tooltip.
std::string timeline_svg(const std::vector<NodeSpan>& spans, std::int64_t start_us, std::int64_t end_us);

// Counts of `sorted_seconds` in decades from under a millisecond to over an
// hour, as bars with their counts.
std::string duration_histogram_svg(const std::vector<double>& sorted_seconds);

// The value at quantile q (0..1) of sorted values (0 when empty).
double quantile(const std::vector<double>& sorted, double q);

}  // namespace ramify
