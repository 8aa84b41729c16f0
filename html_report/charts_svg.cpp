#include "html_report/charts_svg.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include "html_report/html_text.hpp"

namespace ramify {

namespace {

constexpr int kWidth = 1100;
constexpr int kLabelWidth = 230;
constexpr int kLaneHeight = 12;
constexpr int kAxisHeight = 22;

const char* colour(Status status) {
  switch (status) {
    case Status::ok:
      return "#2e7d32";
    case Status::failed:
      return "#c62828";
    case Status::skipped:
      return "#9e9e9e";
  }
  return "#000";
}

std::string number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", value);
  return text;
}

}  // namespace

double quantile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  const auto at = static_cast<std::size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  return sorted[std::min(sorted.size() - 1, at == 0 ? 0 : at - 1)];
}

TimelineLanes timeline_lanes(const std::vector<NodeSpan>& spans) {
  TimelineLanes lanes;
  lanes.lane_of.resize(spans.size());
  std::vector<std::int64_t> free_at;  // per lane: when its last span ended
  std::size_t workers_first_lane = 0;
  for (std::size_t i = 0; i < spans.size(); ++i) {
    const NodeSpan& span = spans[i];
    if (i == 0 || span.worker != spans[i - 1].worker) workers_first_lane = free_at.size();
    std::size_t chosen = free_at.size();
    for (std::size_t l = workers_first_lane; l < free_at.size(); ++l)
      if (free_at[l] <= span.start_us) {
        chosen = l;
        break;
      }
    if (chosen == free_at.size()) {
      free_at.push_back(0);
      lanes.worker_of.push_back(span.worker);
      lanes.first_of_worker.push_back(chosen == workers_first_lane);
    }
    free_at[chosen] = span.end_us;
    lanes.lane_of[i] = chosen;
  }
  return lanes;
}

std::string timeline_svg(const std::vector<NodeSpan>& spans, std::int64_t start_us, std::int64_t end_us) {
  const TimelineLanes lanes = timeline_lanes(spans);
  const auto& lane_of = lanes.lane_of;

  const double span_us = std::max<double>(1, static_cast<double>(end_us - start_us));
  const double scale = (kWidth - kLabelWidth - 10) / span_us;
  const int height = kAxisHeight + static_cast<int>(lanes.worker_of.size()) * kLaneHeight + 4;
  std::string svg = "<svg class=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(kWidth) +
                    "\" height=\"" + std::to_string(height) + "\" viewBox=\"0 0 " + std::to_string(kWidth) + " " +
                    std::to_string(height) + "\" role=\"img\" aria-label=\"timeline\">\n";
  // The time axis: six ticks.
  for (int tick = 0; tick <= 5; ++tick) {
    const double x = kLabelWidth + (kWidth - kLabelWidth - 10) * tick / 5.0;
    svg += "<line x1=\"" + number(x) + "\" y1=\"" + std::to_string(kAxisHeight - 4) + "\" x2=\"" + number(x) +
           "\" y2=\"" + std::to_string(height) + "\" stroke=\"#ddd\"/>";
    svg += "<text x=\"" + number(x) + "\" y=\"12\" font-size=\"10\" text-anchor=\"" + (tick == 5 ? "end" : "middle") +
           "\">" + html_escaped(duration_text(span_us / 1e6 * tick / 5.0)) + "</text>\n";
  }
  for (std::size_t l = 0; l < lanes.worker_of.size(); ++l) {
    const int y = kAxisHeight + static_cast<int>(l) * kLaneHeight;
    if (lanes.first_of_worker[l])
      svg += "<text x=\"4\" y=\"" + std::to_string(y + 9) + "\" font-size=\"10\">" + html_escaped(lanes.worker_of[l]) +
             "</text>";
    if (lanes.first_of_worker[l] && l > 0)
      svg += "<line x1=\"0\" y1=\"" + std::to_string(y) + "\" x2=\"" + std::to_string(kWidth) + "\" y2=\"" +
             std::to_string(y) + "\" stroke=\"#bbb\"/>";
  }
  svg += '\n';
  for (std::size_t i = 0; i < spans.size(); ++i) {
    const NodeSpan& span = spans[i];
    const double x = kLabelWidth + static_cast<double>(span.start_us - start_us) * scale;
    // Back-to-back nodes keep a hairline between them.
    const double full = static_cast<double>(span.end_us - span.start_us) * scale;
    const double w = std::max(1.0, full > 3 ? full - 0.6 : full);
    const int y = kAxisHeight + static_cast<int>(lane_of[i]) * kLaneHeight + 1;
    svg += "<rect x=\"" + number(x) + "\" y=\"" + std::to_string(y) + "\" width=\"" + number(w) + "\" height=\"" +
           std::to_string(kLaneHeight - 2) + "\" fill=\"" + colour(span.status) + "\"><title>";
    append_html(svg, span.label);
    svg += ": " + std::string(to_string(span.status)) + ", " +
           html_escaped(duration_text(static_cast<double>(span.end_us - span.start_us) / 1e6)) + "</title></rect>\n";
  }
  svg += "</svg>\n";
  return svg;
}

std::string duration_histogram_svg(const std::vector<double>& sorted_seconds) {
  static const double bounds[] = {0.001, 0.01, 0.1, 1, 10, 60, 600, 3600};
  static const char* labels[] = {"<1ms", "<10ms", "<0.1s", "<1s", "<10s", "<1m", "<10m", "<1h", "1h+"};
  constexpr std::size_t kBuckets = std::size(labels);
  std::uint64_t counts[kBuckets] = {};
  for (double s : sorted_seconds) {
    std::size_t b = 0;
    while (b < std::size(bounds) && s >= bounds[b]) ++b;
    ++counts[b];
  }
  const std::uint64_t most = std::max<std::uint64_t>(1, *std::max_element(std::begin(counts), std::end(counts)));
  constexpr int kBar = 46, kHeight = 90;
  std::string svg = "<svg class=\"histogram\" xmlns=\"http://www.w3.org/2000/svg\" width=\"" +
                    std::to_string(kBar * kBuckets) + "\" height=\"" + std::to_string(kHeight + 28) + "\">";
  for (std::size_t b = 0; b < kBuckets; ++b) {
    const double h =
        counts[b] == 0 ? 0 : std::max(1.0, kHeight * static_cast<double>(counts[b]) / static_cast<double>(most));
    const int x = static_cast<int>(b) * kBar;
    svg += "<rect x=\"" + std::to_string(x + 4) + "\" y=\"" + number(kHeight + 12 - h) + "\" width=\"" +
           std::to_string(kBar - 8) + "\" height=\"" + number(h) + "\" fill=\"#1565c0\"/>";
    svg += "<text x=\"" + std::to_string(x + kBar / 2) + "\" y=\"" + number(kHeight + 10 - h) +
           "\" font-size=\"9\" text-anchor=\"middle\">" + std::to_string(counts[b]) + "</text>";
    svg += "<text x=\"" + std::to_string(x + kBar / 2) + "\" y=\"" + std::to_string(kHeight + 25) +
           "\" font-size=\"9\" text-anchor=\"middle\">" + html_escaped(labels[b]) + "</text>";
  }
  svg += "</svg>";
  return svg;
}

}  // namespace ramify
