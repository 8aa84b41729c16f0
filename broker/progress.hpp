#pragma once
// The broker's progress report: on a terminal, one line redrawn in place;
// otherwise a plain line every few seconds.

#include <chrono>
#include <cstdio>
#include <string>

namespace ramify {

struct ProgressFigures {
  std::uint64_t assignments = 0;
  std::uint64_t assignments_done = 0;  // every terminal state
  std::uint64_t assignments_running = 0;
  std::uint64_t nodes = 0;
  std::uint64_t failures = 0;
  std::uint32_t workers = 0;
};

class Progress {
 public:
  enum class Mode { off, line, plain };
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
  // The last line, then a line end (a terminal line is left in place).
  void finish(const ProgressFigures& figures, Clock::time_point now);

  // One line of figures; `elapsed` drives the rate and the ETA.
  static std::string format(const ProgressFigures& figures, std::chrono::duration<double> elapsed);

 private:
  void print(const ProgressFigures& figures, Clock::time_point now);

  Mode mode_;
  std::chrono::milliseconds interval_;
  std::FILE* out_;
  Clock::time_point started_ = Clock::now();
  Clock::time_point last_ = started_;  // the first line comes one interval after the start
};

// "auto" (a line on a terminal, plain lines otherwise), "line", "plain", "off".
Progress::Mode parse_progress_mode(const std::string& text, bool stderr_is_terminal);

}  // namespace ramify
