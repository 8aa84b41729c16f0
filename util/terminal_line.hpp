#pragma once
// One line kept at the bottom of a terminal and redrawn in place (the
// progress line), with every other line written above it: writing a line
// first clears it, then draws it again below. Only one process may write to
// a terminal this way (`ramify run` owns its terminal; a daemon its own).
// While a TerminalLine is active, ramify's loggers write through it too.

#include <cstdio>
#include <mutex>
#include <string>
#include <string_view>

namespace ramify {

class TerminalLine {
 public:
  // The line goes to `out` (a terminal); lines written through this object
  // go to the stream they name. Becomes the loggers' terminal line.
  explicit TerminalLine(std::FILE* out);
  ~TerminalLine();
  TerminalLine(const TerminalLine&) = delete;
  TerminalLine& operator=(const TerminalLine&) = delete;

  // Draws `text` as the line, in place of the last one.
  void show(const std::string& text);
  // Writes whole lines (`text` ends with a line end, or gets one) to
  // `stream`, above the line, which is then drawn again.
  void write(std::FILE* stream, std::string_view text);
  // Runs `print`, which writes whole lines to the terminal, above the line.
  template <class Print>
  void above(Print print) {
    std::lock_guard lock(mutex_);
    clear();
    print();
    redraw();
  }
  // Leaves the line on the terminal as an ordinary line and draws no more.
  void settle();

  // The active one (the loggers write through it), or null.
  static TerminalLine* active();

 private:
  void clear();
  void redraw();

  std::FILE* out_;
  std::mutex mutex_;
  std::string text_;
  bool drawn_ = false;
  bool settled_ = false;
};

}  // namespace ramify
