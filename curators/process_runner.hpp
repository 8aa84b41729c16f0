#pragma once
// Runs one command to completion without a shell, streaming its output as lines.

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace ramify {

// What a command used, itself and every descendant it waited for (wait4's
// rusage, and /proc/PID/io read before the reap).
struct ProcessUsage {
  bool known = false;
  double user_seconds = 0;
  double system_seconds = 0;
  std::uint64_t max_rss_bytes = 0;  // the largest resident set among them
  std::uint64_t read_bytes = 0;     // through read() and the like, from the page cache or not (rchar)
  std::uint64_t write_bytes = 0;    // through write() and the like (wchar)
};

struct ProcessResult {
  enum class End { exited, signaled, timed_out, cancelled, spawn_failed };

  End end = End::spawn_failed;
  int exit_code = -1;  // set when end == exited
  int signal = 0;      // set when end == signaled
  std::string error;   // set when end == spawn_failed, e.g. "No such file or directory"
  std::string program;                      // argv[0], for messages
  std::chrono::milliseconds timeout{0};     // the limit that was given
  std::chrono::milliseconds elapsed{0};     // wall time from spawn to reap
  ProcessUsage usage;                       // not known for spawn_failed

  // "exit code 3", "killed by signal SIGSEGV", "timed out after 2.0 s",
  // "cancelled", "cannot start 'foo': No such file or directory".
  std::string describe() const;
};

struct ProcessOptions {
  std::vector<std::string> argv;        // argv[0] is looked up in the caller's PATH
  std::vector<std::string> extra_env;   // "NAME=value", added to (overriding) the inherited environment
  std::chrono::milliseconds timeout{0}; // 0 = none
  // When readable, hung up or not an open fd: kill the group, End::cancelled.
  // Never read from, so one eventfd or pipe may cancel many runs.
  int cancel_fd = -1;
  std::string working_dir;  // empty = inherit
};

// Called on the calling thread for each output line, without its "\n" or "\r\n".
// A line longer than 64 KiB arrives in 64 KiB pieces; a final unterminated line
// is delivered too. An empty handler discards the output.
using LineHandler = std::function<void(bool is_stderr, std::string_view line)>;

// Spawns argv (posix_spawnp, no shell) as the leader of a new process group with
// stdin from /dev/null, a default signal mask and dispositions, and only fds 0-2
// open. Returns when the child has been reaped; the whole process group is
// killed with SIGKILL before that in every case (also after a normal exit), so no
// background grandchild survives in the group. Safe to call from many threads at
// once. If on_line throws, the group is killed and reaped and the exception
// propagates.
//
// The group holds only what stays in it: a process that calls setsid (or
// setpgid) leaves it, and nothing here kills the group if the calling process
// itself dies (SIGKILL). In a `ramify worker` both are covered by the fork
// server's sweep (fork_server.hpp): the child inherits this process's
// environment, RAMIFY_WORKER_TOKEN included, and every process carrying the
// token is killed when the worker goes away. extra_env must not override
// RAMIFY_WORKER_TOKEN or RAMIFY_WORKER_OUTER_TOKENS (it would hide the command
// from the sweep).
ProcessResult run_process(const ProcessOptions& options, const LineHandler& on_line);

// "SIGSEGV", "SIGRTMIN+3", or "signal 99" for an unknown number.
std::string signal_name(int sig);

}  // namespace ramify
