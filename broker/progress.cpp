#include "broker/progress.hpp"

#include <spdlog/fmt/fmt.h>

#include "protocol/log_record.hpp"
#include "util/errors.hpp"

namespace ramify {

Progress::Progress(Mode mode, std::chrono::milliseconds interval, std::FILE* out)
    : mode_(mode), interval_(interval), out_(out) {
  if (mode_ == Mode::line) line_ = std::make_unique<TerminalLine>(out_);
}

std::string Progress::format(const ProgressFigures& f, std::chrono::duration<double> elapsed) {
  const double seconds = std::max(elapsed.count(), 1e-3);
  const double rate = static_cast<double>(f.nodes) / seconds;
  const std::uint64_t ended = f.assignments_done + f.assignments_quarantined;
  std::string head = "progress: ";
  if (f.state == RunState::draining) {
    head += "finishing, " + f.stop_reason + " | ";
  } else if (f.state == RunState::aborted) {
    head += (f.assignments_running > 0 ? "stopping, " : "aborted, ") + f.stop_reason + " | ";
  }
  std::string assignments = fmt::format("assignments {}/{} done, {} running", f.assignments_done, f.assignments,
                                        f.assignments_running);
  if (f.assignments_quarantined > 0) assignments += fmt::format(", {} quarantined", f.assignments_quarantined);
  if (f.assignments_not_run > 0) assignments += fmt::format(", {} not run", f.assignments_not_run);
  std::string line = fmt::format("{}{} | nodes {} ({:.0f}/s) | failures {} | workers {}", head, assignments, f.nodes,
                                 rate, f.failures, f.workers);
  // An ETA only while the run goes on as planned.
  if (f.state == RunState::running || f.state == RunState::finished) {
    std::string eta = "-";
    if (ended == f.assignments) {
      eta = "0:00";
    } else if (ended > 0) {
      const double per_assignment = seconds / static_cast<double>(ended);
      const auto left = static_cast<long long>(per_assignment * static_cast<double>(f.assignments - ended));
      eta = fmt::format("{}:{:02}", left / 60, left % 60);
    }
    line += " | ETA " + eta;
  }
  return line;
}

void Progress::print(const ProgressFigures& figures, Clock::time_point now) {
  const std::string line = format(figures, now - started_);
  if (mode_ == Mode::line) {
    line_->show(line);
  } else {
    std::fprintf(out_, "%s\n", line.c_str());
    std::fflush(out_);
  }
  last_ = now;
}

void Progress::finish(const ProgressFigures& figures, Clock::time_point now) {
  if (mode_ == Mode::off) return;
  print(figures, now);
  if (mode_ == Mode::line) line_->settle();
  if (mode_ == Mode::feed) std::fputc('\n', out_);  // the feed is over
  std::fflush(out_);
}

Progress::Mode parse_progress_mode(const std::string& text, bool stderr_is_terminal) {
  if (text == "auto") return stderr_is_terminal ? Progress::Mode::line : Progress::Mode::plain;
  if (text == "line") return Progress::Mode::line;
  if (text == "plain") return Progress::Mode::plain;
  if (text == "off") return Progress::Mode::off;
  if (text == "feed") return Progress::Mode::feed;
  throw ConfigError("--progress: '" + text + "' is not auto, line, plain or off");
}

}  // namespace ramify
