#pragma once
// A stop asked of a daemon from outside: by a signal handler (SIGINT,
// SIGTERM) or another thread. Counts the requests, so that a daemon can stop
// in order on the first and leave at once on the second, and keeps the last
// signal, so that it can say which one stopped it. Async-signal-safe.
// Only for the daemons: `ramify run` ends everything on a second Ctrl-C itself.

#include <signal.h>
#include <string.h>
#include <time.h>

#include <atomic>
#include <string>

namespace ramify {

class StopRequest {
 public:
  // Requests within a second of the first are one stop delivered twice (a
  // signal to a whole process group that a parent also forwards).
  void request(int signal = SIGTERM) {
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    const long long now_ms = static_cast<long long>(now.tv_sec) * 1000 + now.tv_nsec / 1000000;
    if (count_.load() > 0 && now_ms - first_ms_.load() < 1000) return;
    if (count_.load() == 0) first_ms_.store(now_ms);
    signal_.store(signal);
    count_.fetch_add(1);
  }
  int count() const { return count_.load(); }
  int signal() const { return signal_.load(); }
  // Non-zero once a stop was requested (for waits that poll a flag).
  const std::atomic<int>& requested() const { return count_; }

  // The exit status of a daemon stopped by this signal (130 for SIGINT, 143 for SIGTERM).
  int exit_status() const { return 128 + signal(); }
  // "stopped by SIGINT".
  std::string reason() const { return "stopped by " + signal_text(signal()); }

  static std::string signal_text(int signal) {
    const char* abbreviation = sigabbrev_np(signal);
    return abbreviation ? std::string("SIG") + abbreviation : "signal " + std::to_string(signal);
  }

 private:
  std::atomic<int> count_{0};
  std::atomic<int> signal_{SIGTERM};
  std::atomic<long long> first_ms_{0};
};

}  // namespace ramify
