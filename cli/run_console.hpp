#pragma once
// The terminal of `ramify run`, owned by it alone: its daemons write into
// pipes, and a thread of `ramify run` copies their lines, whole, to its own
// standard output and error, with the progress line (the broker's progress
// feed) redrawn below them on a terminal, or a plain line every interval.
// No two processes ever write to the terminal, so no line is cut into another.

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "broker/progress.hpp"
#include "cli/daemon_process.hpp"
#include "util/terminal_line.hpp"

namespace ramify {

class RunConsole {
 public:
  // `mode`: how the progress is shown (line: redrawn in place on standard
  // error; plain: a line every `interval`; off: not at all).
  RunConsole(Progress::Mode mode, std::chrono::milliseconds interval);
  ~RunConsole();  // finish()
  RunConsole(const RunConsole&) = delete;
  RunConsole& operator=(const RunConsole&) = delete;

  // Whose pipes: when several have lines waiting at once, they are copied in
  // this order, which is the order of cause and effect at the end of a run
  // (workers' lines, then the sink's summary, then the broker's last word).
  enum class Rank { broker_feed = 0, worker = 1, sink = 2, broker = 3 };
  // Pipes for a child's standard output and error (close_child_ends() after
  // starting it). The broker's standard output is its progress feed
  // (`ramify broker --progress feed`), not copied but drawn; a worker's
  // output and error share one pipe to standard error (a worker prints
  // nothing else), so that many workers take few descriptors.
  ChildOutput pipes(Rank rank);
  // Closes this process's copies of the children's ends, once they are started.
  void close_child_ends();
  // Starts copying.
  void start();
  Progress::Mode mode() const { return mode_; }
  // Writes whole lines of `ramify run` itself to standard error, above the progress line.
  void error(const std::string& text);
  // Once every child has exited: copies what is left, ends the progress line, stops.
  void finish();

 private:
  enum class Kind { out, err, feed };
  struct Source {
    int fd;
    Kind kind;
    Rank rank;
    std::string pending;  // a line not ended yet
  };
  void pump();
  bool read_from(Source& source);  // false at the end of the pipe
  void deliver(Source& source, bool at_end);
  void on_feed_line(const std::string& line);

  Progress::Mode mode_;
  std::chrono::milliseconds interval_;
  std::unique_ptr<TerminalLine> line_;  // line mode
  std::vector<Source> sources_;
  std::vector<int> child_ends_;
  int wake_[2] = {-1, -1};
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  bool finished_ = false;
  std::string last_progress_;
  bool progress_over_ = false;
  std::chrono::steady_clock::time_point last_plain_ = std::chrono::steady_clock::now();
};

}  // namespace ramify
