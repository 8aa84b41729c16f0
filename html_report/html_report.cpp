#include "html_report/html_report.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "html_report/charts_svg.hpp"
#include "html_report/html_text.hpp"
#include "sink/report_file.hpp"
#include "util/errors.hpp"
#include "util/json_text.hpp"

namespace ramify {

namespace {

constexpr Status kStatuses[] = {Status::ok, Status::failed, Status::skipped};

const char* kStyle = R"(
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #222; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 28px 0 8px; }
table { border-collapse: collapse; margin: 4px 0; } td, th { padding: 2px 10px; border-bottom: 1px solid #e4e4e4; }
th { text-align: left; background: #f5f5f5; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
.ok { color: #2e7d32; } .failed { color: #c62828; font-weight: 600; } .skipped { color: #757575; }
.verdict { font-size: 18px; font-weight: 600; } .muted { color: #757575; }
.level { display: inline-block; vertical-align: top; margin: 0 24px 12px 0; }
.scroll { overflow-x: auto; } code { font-size: 13px; }
)";

std::string cell(const std::string& text, const char* css = nullptr) {
  return std::string("<td") + (css ? std::string(" class=\"") + css + "\"" : "") + ">" + html_escaped(text) + "</td>";
}

// The figures as JSON: what a script (or a test) reads instead of the page.
std::string figures_json(const RunFigures& f) {
  std::string levels = "{";
  for (const std::string& level : f.levels) {
    if (levels.size() > 1) levels += ',';
    append_json_string(levels, level);
    JsonObject counts;
    for (Status status : kStatuses) {
      const auto& by = f.outcomes.at(level);
      const auto found = by.find(status);
      counts.field(to_string(status), found == by.end() ? std::uint64_t{0} : found->second);
    }
    levels += ':' + counts.str();
  }
  levels += '}';
  std::string runs = "[";
  for (const std::string& run : f.runs) {
    if (runs.size() > 1) runs += ',';
    append_json_string(runs, run);
  }
  runs += ']';
  std::string slowest = "[";
  for (const SlowNode& slow : f.slowest) {
    if (slowest.size() > 1) slowest += ',';
    JsonObject s;
    s.field("node", slow.node).field("level", slow.level).raw("seconds", std::to_string(slow.seconds));
    slowest += s.str();
  }
  slowest += ']';
  JsonObject out;
  out.field("nodes", f.nodes())
      .field("failed", f.failed)
      .field("log_rows", f.log_rows)
      .raw("levels", levels)
      .raw("runs", runs)
      .raw("elapsed_seconds", std::to_string(static_cast<double>(f.last_end_us - f.first_start_us) / 1e6))
      .field("timeline_bars", static_cast<std::uint64_t>(f.spans.size()))
      .field("timeline_per", f.spans_are_assignments ? "assignment" : "node")
      .raw("slowest", slowest);
  std::string text = out.str();
  // Inside <script>, "</script>" (or "<!--") would end or bend the block: no "<" at all.
  std::string safe;
  for (char c : text) {
    if (c == '<')
      safe += "\\u003c";
    else
      safe += c;
  }
  return safe;
}

void summary_section(std::string& h, const RunFigures& f) {
  const bool failed = f.failed > 0;
  h += "<p class=\"verdict " + std::string(failed ? "failed" : "ok") + "\">" +
       (failed ? grouped(f.failed) + " node(s) failed" : std::string("every node ok")) + " &mdash; " +
       grouped(f.nodes()) + " nodes";
  if (f.last_end_us > f.first_start_us)
    h += " in " + html_escaped(duration_text(static_cast<double>(f.last_end_us - f.first_start_us) / 1e6));
  h += "</p>\n<table><tr><th>level</th>";
  for (Status status : kStatuses) h += "<th>" + std::string(to_string(status)) + "</th>";
  h += "<th>all</th></tr>\n";
  std::map<Status, std::uint64_t> totals;
  for (const std::string& level : f.levels) {
    h += "<tr>" + cell(level);
    std::uint64_t all = 0;
    for (Status status : kStatuses) {
      const auto& by = f.outcomes.at(level);
      const auto found = by.find(status);
      const std::uint64_t n = found == by.end() ? 0 : found->second;
      all += n;
      totals[status] += n;
      h += "<td class=\"n " + std::string(n > 0 ? to_string(status) : "muted") + "\">" + grouped(n) + "</td>";
    }
    h += "<td class=\"n\">" + grouped(all) + "</td></tr>\n";
  }
  h += "<tr><th>all</th>";
  for (Status status : kStatuses) h += "<td class=\"n\"><b>" + grouped(totals[status]) + "</b></td>";
  h += "<td class=\"n\"><b>" + grouped(f.nodes()) + "</b></td></tr></table>\n";
  h += "<p class=\"muted\">log records: " + grouped(f.log_rows) + " (warnings and errors: " + grouped(f.warnings) +
       ") &middot; run(s): ";
  bool first = true;
  for (const std::string& run : f.runs) {
    h += (first ? "" : ", ") + std::string("<code>") + html_escaped(run) + "</code>";
    first = false;
  }
  h += "</p>\n";
}

void timeline_section(std::string& h, const RunFigures& f) {
  h += "<h2>Timeline</h2>\n";
  if (f.spans.empty()) {
    h += "<p class=\"muted\">No outcome has its start time (a report of an older ramify).</p>\n";
    return;
  }
  h += "<p class=\"muted\">A row per slot of each worker (as many rows as it ran at once); a bar per " +
       std::string(f.spans_are_assignments ? "assignment (more than " + grouped(RunFigures::kNodeBarsAtMost) +
                                                 " nodes: one bar per node would not be readable)"
                                           : "node") +
       ", <span class=\"ok\">ok</span>, <span class=\"failed\">failed</span> or "
       "<span class=\"skipped\">skipped</span>. Hover a bar for its node and duration.</p>\n<div class=\"scroll\">" +
       timeline_svg(f.spans, f.first_start_us, f.last_end_us) + "</div>\n";
}

void durations_section(std::string& h, const RunFigures& f) {
  h += "<h2>Durations by level</h2>\n";
  for (const std::string& level : f.levels) {
    const auto found = f.durations.find(level);
    if (found == f.durations.end() || found->second.empty()) continue;
    const std::vector<double>& s = found->second;
    double total = 0;
    for (double v : s) total += v;
    h += "<div class=\"level\"><b>" + html_escaped(level) + "</b> <span class=\"muted\">" + grouped(s.size()) +
         " nodes, median " + html_escaped(duration_text(quantile(s, 0.5))) + ", 95% " +
         html_escaped(duration_text(quantile(s, 0.95))) + ", max " + html_escaped(duration_text(s.back())) +
         ", total " + html_escaped(duration_text(total)) + "</span><br>" + duration_histogram_svg(s) + "</div>\n";
  }
}

void resources_section(std::string& h, const RunFigures& f) {
  if (f.resources.empty()) return;
  h += "<h2>Resource use by level</h2>\n<p class=\"muted\">Of the commands exec ran (and the children they waited "
       "for).</p>\n<table><tr><th>level</th><th>commands</th><th>CPU user</th><th>CPU system</th>"
       "<th>peak memory</th><th>read</th><th>written</th></tr>\n";
  for (const std::string& level : f.levels) {
    const auto found = f.resources.find(level);
    if (found == f.resources.end()) continue;
    const LevelResources& r = found->second;
    h += "<tr>" + cell(level) + "<td class=\"n\">" + grouped(r.commands) + "</td>" +
         cell(duration_text(r.cpu_user_seconds), "n") + cell(duration_text(r.cpu_system_seconds), "n") +
         cell(bytes_text(r.max_rss_bytes), "n") + cell(bytes_text(r.read_bytes), "n") +
         cell(bytes_text(r.write_bytes), "n") + "</tr>\n";
  }
  h += "</table>\n";
}

void failures_section(std::string& h, const RunFigures& f) {
  h += "<h2>Failures</h2>\n";
  if (f.failed == 0) {
    h += "<p class=\"ok\">None.</p>\n";
    return;
  }
  h += "<table class=\"failures\"><tr><th>level</th><th>node</th><th>error</th><th>message</th></tr>\n";
  for (const FailureRow& failure : f.failures)
    h += "<tr>" + cell(failure.level) + cell(failure.node) + cell(failure.error, "failed") + cell(failure.message) +
         "</tr>\n";
  h += "</table>\n";
  if (f.failed > f.failures.size())
    h += "<p>and " + grouped(f.failed - f.failures.size()) + " more (the report has them all).</p>\n";
}

void slowest_section(std::string& h, const RunFigures& f) {
  if (f.slowest.empty()) return;
  h += "<h2>Slowest nodes</h2>\n<table><tr><th>seconds</th><th>level</th><th>node</th></tr>\n";
  for (const SlowNode& slow : f.slowest)
    h += "<tr>" + cell(duration_text(slow.seconds), "n") + cell(slow.level) + cell(slow.node) + "</tr>\n";
  h += "</table>\n";
}

}  // namespace

std::string html_document(const RunFigures& f, const std::string& report_name) {
  std::string h = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>ramify run report: " +
                  html_escaped(report_name) + "</title>\n<style>" + kStyle + "</style>\n</head>\n<body>\n";
  h += "<h1>ramify run report</h1>\n<p class=\"muted\">" + html_escaped(report_name) + "</p>\n";
  summary_section(h, f);
  timeline_section(h, f);
  durations_section(h, f);
  resources_section(h, f);
  failures_section(h, f);
  slowest_section(h, f);
  h += "<script type=\"application/json\" id=\"ramify-figures\">" + figures_json(f) + "</script>\n</body>\n</html>\n";
  return h;
}

RunFigures write_html_report(const std::string& report, const std::string& out) {
  RunFigures figures;
  read_report(report, [&](const ReportRow& row) { figures.add(row); });
  figures.finish();
  const std::string text = html_document(figures, std::filesystem::path(report).filename().string());

  const std::string partial = out + ".partial";
  const auto fail = [&](const std::string& why) {
    ::unlink(partial.c_str());
    throw WriteError("html report " + out + ": " + why);
  };
  const int fd = ::open(partial.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) fail(std::strerror(errno));
  std::size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int error = n < 0 ? errno : ENOSPC;
      ::close(fd);
      fail(std::strerror(error));
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) {
    const int error = errno;
    ::close(fd);
    fail(std::strerror(error));
  }
  if (::close(fd) != 0) fail(std::strerror(errno));
  if (std::rename(partial.c_str(), out.c_str()) != 0) fail(std::strerror(errno));
  return figures;
}

}  // namespace ramify
