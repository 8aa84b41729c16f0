#pragma once
// The broker's progress report: on a terminal, one line redrawn in place
// below the log lines; otherwise a plain line every few seconds; or, for
// `ramify run` (which owns the terminal and draws the line itself), a feed:
// a line every 0.2 s on standard output, and an empty line when it is over.

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

#include "protocol/protocol_enums.hpp"
#include "util/terminal_line.hpp"

namespace ramify {

struct ProgressFigures {
  std::uint64_t assignments = 0;
  std::uint64_t assignments_done = 0;  // walked to their end
  std::uint64_t assignments_running = 0;
  std::uint64_t nodes = 0;  // curated so far, those of running assignments included
  std::uint64_t failures = 0;
  std::uint32_t workers = 0;
  std::uint64_t assignments_not_run = 0;    // given up because the run was stopped
  std::uint64_t assignments_quarantined = 0;
  RunState state = RunState::running;
  std::string stop_reason;  // why nothing new is dispatched (draining, aborted)
};

class Progress {
 public:
  enum class Mode { off, line, plain, feed };
  using Clock = std::chrono::steady_clock;

  Progress(Mode mode, std::chrono::milliseconds interval, std::FILE* out = stderr);

  // Prints when the mode's interval has passed since the last line; the
  // figures are only gathered then.
  template <class Figures>
  void tick(Clock::time_point now, Figures figures) {
    if (mode_ != Mode::off && now - last_ >= interval_) print(figures(), now);
  }
  // When the next line is due (never when off).
  Clock::time_point next_due() const { return mode_ == Mode::off ? Clock::time_point::max() : last_ + interval_; }
  // The last line, then a line end (a terminal line is left in place; a feed ends with an empty line).
  void finish(const ProgressFigures& figures, Clock::time_point now);

  // One line of figures; `elapsed` drives the rate and the ETA. While the
  // run stops, it says so and why, and counts what is really done.
  static std::string format(const ProgressFigures& figures, std::chrono::duration<double> elapsed);

 private:
  void print(const ProgressFigures& figures, Clock::time_point now);

  Mode mode_;
  std::chrono::milliseconds interval_;
  std::FILE* out_;
  std::unique_ptr<TerminalLine> line_;  // line mode
  Clock::time_point started_ = Clock::now();
  Clock::time_point last_ = started_;  // the first line comes one interval after the start
};

// "auto" (a line on a terminal, plain lines otherwise), "line", "plain",
// "off", and "feed" (for `ramify run`).
Progress::Mode parse_progress_mode(const std::string& text, bool stderr_is_terminal);

}  // namespace ramify
