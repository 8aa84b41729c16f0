#include "broker/progress.hpp"

#include <spdlog/fmt/fmt.h>

#include "common/errors.hpp"

namespace ramify {

Progress::Progress(Mode mode, std::chrono::milliseconds interval, std::FILE* out)
    : mode_(mode), interval_(interval), out_(out) {}

std::string Progress::format(const ProgressFigures& f, std::chrono::duration<double> elapsed) {
  const double seconds = std::max(elapsed.count(), 1e-3);
  const double rate = static_cast<double>(f.nodes) / seconds;
  std::string eta = "-";
  if (f.assignments_done > 0 && f.assignments_done < f.assignments) {
    const double per_assignment = seconds / static_cast<double>(f.assignments_done);
    const auto left = static_cast<long long>(per_assignment * static_cast<double>(f.assignments - f.assignments_done));
    eta = fmt::format("{}:{:02}", left / 60, left % 60);
  } else if (f.assignments_done == f.assignments) {
    eta = "0:00";
  }
  return fmt::format("progress: assignments {}/{} done, {} running | nodes {} ({:.0f}/s) | failures {} | "
                     "workers {} | ETA {}",
                     f.assignments_done, f.assignments, f.assignments_running, f.nodes, rate, f.failures, f.workers,
                     eta);
}

void Progress::print(const ProgressFigures& figures, Clock::time_point now) {
  const std::string line = format(figures, now - started_);
  if (mode_ == Mode::line) {
    std::fprintf(out_, "\r\033[K%s", line.c_str());
  } else {
    std::fprintf(out_, "%s\n", line.c_str());
  }
  std::fflush(out_);
  last_ = now;
}

void Progress::finish(const ProgressFigures& figures, Clock::time_point now) {
  if (mode_ == Mode::off) return;
  print(figures, now);
  if (mode_ == Mode::line) std::fputc('\n', out_);
  std::fflush(out_);
}

Progress::Mode parse_progress_mode(const std::string& text, bool stderr_is_terminal) {
  if (text == "auto") return stderr_is_terminal ? Progress::Mode::line : Progress::Mode::plain;
  if (text == "line") return Progress::Mode::line;
  if (text == "plain") return Progress::Mode::plain;
  if (text == "off") return Progress::Mode::off;
  throw ConfigError("--progress: '" + text + "' is not auto, line, plain or off");
}

}  // namespace ramify
