#include "curators/process_runner.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <climits>
#include <fstream>
#include <optional>
#include <system_error>
#include <utility>

extern char** environ;

namespace ramify {

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kMaxLine = 64 * 1024;
constexpr std::size_t kReadSize = 64 * 1024;
// How long output is still read after the group was killed; bounds the wait for
// EOF when a process outside the group (e.g. after setsid) holds a pipe open.
constexpr std::chrono::milliseconds kDrainGrace{200};
// Exit polling interval when pidfd_open is unavailable.
constexpr std::chrono::milliseconds kExitPollTick{20};
constexpr std::chrono::milliseconds kMaxTimeout = std::chrono::hours(24 * 365 * 10);

std::string error_text(int err) {
  const char* text = strerrordesc_np(err);
  return text ? std::string(text) : "error " + std::to_string(err);
}

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  void reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

// A pipe whose ends are close-on-exec and >= 3 (so dup2 onto 0-2 in the child
// cannot clobber the other end); the read end is non-blocking. Returns 0 or errno.
int make_pipe(UniqueFd& read_end, UniqueFd& write_end) {
  std::array<int, 2> fds{};
  if (::pipe2(fds.data(), O_CLOEXEC) != 0) return errno;
  read_end.reset(fds[0]);
  write_end.reset(fds[1]);
  for (UniqueFd* end : {&read_end, &write_end}) {
    if (end->get() >= 3) continue;
    const int moved = ::fcntl(end->get(), F_DUPFD_CLOEXEC, 3);
    if (moved < 0) return errno;
    end->reset(moved);
  }
  const int flags = ::fcntl(read_end.get(), F_GETFL);
  if (flags < 0 || ::fcntl(read_end.get(), F_SETFL, flags | O_NONBLOCK) != 0) return errno;
  return 0;
}

// The inherited environment with extra "NAME=value" entries replacing or adding
// variables. Returns the first malformed extra entry, if any.
std::optional<std::string> build_environment(const std::vector<std::string>& extra,
                                             std::vector<std::string>& env) {
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) env.emplace_back(*entry);
  for (const std::string& entry : extra) {
    const auto equals = entry.find('=');
    if (equals == 0 || equals == std::string::npos) return entry;
    const std::string_view prefix(entry.data(), equals + 1);  // "NAME="
    std::erase_if(env, [&](const std::string& existing) { return existing.starts_with(prefix); });
    env.push_back(entry);
  }
  return std::nullopt;
}

// Null-terminated pointer array for exec; the strings must outlive it.
std::vector<char*> c_array(const std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  pointers.reserve(strings.size() + 1);
  for (const std::string& s : strings) pointers.push_back(const_cast<char*>(s.c_str()));
  pointers.push_back(nullptr);
  return pointers;
}

// True when fd is readable, hung up or invalid right now.
bool is_signalled(int fd) {
  pollfd probe{fd, POLLIN, 0};
  int ready = 0;
  do {
    ready = ::poll(&probe, 1, 0);
  } while (ready < 0 && errno == EINTR);
  return ready > 0;
}

// Milliseconds until deadline, rounded up, clamped to [0, INT_MAX].
int ms_until(Clock::time_point deadline) {
  const auto remaining = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return static_cast<int>(std::clamp<decltype(remaining)>(remaining, 0, INT_MAX));
}

// A pidfd that becomes readable when pid exits, or -1 (kernel < 5.3, seccomp).
// Called directly: glibc 2.36's <sys/pidfd.h> lacks extern "C" for C++.
int open_pidfd(pid_t pid) {
  return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
}

// Spawns argv as the leader of a new process group. Returns 0 or an errno value.
int spawn(const ProcessOptions& options, const std::vector<char*>& argv, const std::vector<char*>& envp,
          int stdout_fd, int stderr_fd, pid_t& pid) {
  posix_spawn_file_actions_t actions;
  int err = ::posix_spawn_file_actions_init(&actions);
  if (err != 0) return err;
  posix_spawnattr_t attr;
  err = ::posix_spawnattr_init(&attr);
  if (err != 0) {
    ::posix_spawn_file_actions_destroy(&actions);
    return err;
  }

  sigset_t no_signals;
  sigset_t all_signals;
  ::sigemptyset(&no_signals);
  ::sigfillset(&all_signals);
  const auto flags = static_cast<short>(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  if (err == 0) err = ::posix_spawnattr_setflags(&attr, flags);
  if (err == 0) err = ::posix_spawnattr_setpgroup(&attr, 0);
  if (err == 0) err = ::posix_spawnattr_setsigmask(&attr, &no_signals);
  if (err == 0) err = ::posix_spawnattr_setsigdefault(&attr, &all_signals);

  if (err == 0 && !options.working_dir.empty())
    err = ::posix_spawn_file_actions_addchdir_np(&actions, options.working_dir.c_str());
  if (err == 0) err = ::posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  if (err == 0) err = ::posix_spawn_file_actions_adddup2(&actions, stdout_fd, STDOUT_FILENO);
  if (err == 0) err = ::posix_spawn_file_actions_adddup2(&actions, stderr_fd, STDERR_FILENO);
  // Only 0-2 survive: no fd leaked by other threads or libraries reaches the child.
  if (err == 0) err = ::posix_spawn_file_actions_addclosefrom_np(&actions, 3);

  if (err == 0) err = ::posix_spawnp(&pid, argv[0], &actions, &attr, argv.data(), envp.data());

  ::posix_spawnattr_destroy(&attr);
  ::posix_spawn_file_actions_destroy(&actions);
  return err;
}

// Explains a spawn failure, blaming the working directory when it is unusable.
std::string spawn_error_text(int err, const std::string& working_dir) {
  if (!working_dir.empty()) {
    struct stat info {};
    int dir_err = 0;
    if (::stat(working_dir.c_str(), &info) != 0) {
      dir_err = errno;
    } else if (!S_ISDIR(info.st_mode)) {
      dir_err = ENOTDIR;
    } else if (::access(working_dir.c_str(), X_OK) != 0) {
      dir_err = errno;
    }
    if (dir_err != 0) return "working directory '" + working_dir + "': " + error_text(dir_err);
  }
  return error_text(err);
}

// Splits a byte stream into lines for a LineHandler.
class LineSplitter {
 public:
  LineSplitter(bool is_stderr, const LineHandler& on_line) : is_stderr_(is_stderr), on_line_(on_line) {}

  void feed(std::string_view data) {
    while (!data.empty()) {
      const auto newline = data.find('\n');
      if (newline == std::string_view::npos) {
        pending_.append(data);
        deliver_overlong_pieces();
        return;
      }
      if (pending_.empty()) {
        deliver(data.substr(0, newline));
      } else {
        pending_.append(data.substr(0, newline));
        deliver(pending_);
        pending_.clear();
      }
      data.remove_prefix(newline + 1);
    }
  }

  // Delivers an unterminated last line.
  void finish() {
    if (pending_.empty()) return;
    deliver(pending_);
    pending_.clear();
  }

 private:
  // Strips one trailing '\r'; delivers at most kMaxLine bytes per call.
  void deliver(std::string_view line) {
    if (!on_line_) return;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    do {
      on_line_(is_stderr_, line.substr(0, kMaxLine));
      line.remove_prefix(std::min(line.size(), kMaxLine));
    } while (!line.empty());
  }

  // Bounds memory: a line without '\n' leaves in kMaxLine pieces. A lone '\r'
  // is never left behind, so a following '\n' cannot produce an empty line.
  void deliver_overlong_pieces() {
    while (pending_.size() > kMaxLine && !(pending_.size() == kMaxLine + 1 && pending_.back() == '\r')) {
      if (on_line_) on_line_(is_stderr_, std::string_view(pending_).substr(0, kMaxLine));
      pending_.erase(0, kMaxLine);
    }
  }

  bool is_stderr_;
  const LineHandler& on_line_;
  std::string pending_;
};

// One output pipe of the child.
class OutputStream {
 public:
  OutputStream(bool is_stderr, const LineHandler& on_line) : lines_(is_stderr, on_line) {}

  UniqueFd& fd() { return fd_; }
  bool open() const { return fd_.valid(); }

  // Reads once (the fd is non-blocking); closes the stream at EOF or on error.
  void read_available(std::string& buffer) {
    const ssize_t count = ::read(fd_.get(), buffer.data(), buffer.size());
    if (count > 0) {
      lines_.feed(std::string_view(buffer.data(), static_cast<std::size_t>(count)));
      return;
    }
    if (count < 0 && (errno == EINTR || errno == EAGAIN)) return;
    close();
  }

  // Stops reading and delivers an unterminated last line.
  void close() {
    fd_.reset();
    lines_.finish();
  }

 private:
  UniqueFd fd_;
  LineSplitter lines_;
};

// The spawned group leader. Until reaped its pid stays allocated, so kill(-pid)
// cannot hit an unrelated group. The destructor kills and reaps if still needed.
class RunningCommand {
 public:
  explicit RunningCommand(pid_t pid) : pid_(pid) {}
  RunningCommand(const RunningCommand&) = delete;
  RunningCommand& operator=(const RunningCommand&) = delete;
  ~RunningCommand() {
    if (reaped_) return;
    kill_group();
    reap();
  }

  void kill_group() const { ::kill(-pid_, SIGKILL); }  // ESRCH (group gone) is fine

  // True once the leader has terminated; does not reap it.
  bool has_exited() const {
    siginfo_t info{};
    while (::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) != 0) {
      if (errno != EINTR) return true;  // ECHILD: reaped elsewhere (SIGCHLD ignored?)
    }
    return info.si_pid != 0;
  }

  // Waits for the leader; returns its wait status, or nullopt if it was lost.
  // `usage`, when given, gets what it used (its I/O counters are read while
  // it is a zombie, before the reap frees them).
  std::optional<int> reap(ProcessUsage* usage = nullptr) {
    reaped_ = true;
    if (usage) {
      siginfo_t info{};
      while (::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOWAIT) != 0 && errno == EINTR) {
      }
      read_io_counters(*usage);
    }
    int status = 0;
    rusage used{};
    while (::wait4(pid_, &status, 0, &used) < 0) {
      if (errno != EINTR) return std::nullopt;
    }
    if (usage) {
      usage->known = true;
      usage->user_seconds = static_cast<double>(used.ru_utime.tv_sec) + static_cast<double>(used.ru_utime.tv_usec) / 1e6;
      usage->system_seconds = static_cast<double>(used.ru_stime.tv_sec) + static_cast<double>(used.ru_stime.tv_usec) / 1e6;
      usage->max_rss_bytes = static_cast<std::uint64_t>(used.ru_maxrss) * 1024;  // kilobytes on Linux
    }
    return status;
  }

  void read_io_counters(ProcessUsage& usage) const {
    std::ifstream io("/proc/" + std::to_string(pid_) + "/io");
    std::string key;
    std::uint64_t value = 0;
    while (io >> key >> value) {
      if (key == "rchar:") usage.read_bytes = value;
      if (key == "wchar:") usage.write_bytes = value;
    }
  }

 private:
  pid_t pid_;
  bool reaped_ = false;
};

// Reads both streams until EOF or the deadline.
void drain(std::array<OutputStream, 2>& streams, Clock::time_point deadline, std::string& buffer) {
  while (streams[0].open() || streams[1].open()) {
    std::array<pollfd, 2> fds{};
    std::array<OutputStream*, 2> owners{};
    nfds_t count = 0;
    for (OutputStream& stream : streams) {
      if (!stream.open()) continue;
      fds[count] = pollfd{stream.fd().get(), POLLIN, 0};
      owners[count] = &stream;
      ++count;
    }
    const int ready = ::poll(fds.data(), count, ms_until(deadline));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return;
    for (nfds_t i = 0; i < count; ++i) {
      if (fds[i].revents != 0) owners[i]->read_available(buffer);
    }
  }
}

std::string format_seconds(std::chrono::milliseconds duration) {
  const auto ms = duration.count();
  std::string fraction = std::to_string(1000 + ms % 1000).substr(1);  // three digits
  while (fraction.size() > 1 && fraction.back() == '0') fraction.pop_back();
  return std::to_string(ms / 1000) + "." + fraction + " s";
}

}  // namespace

std::string ProcessResult::describe() const {
  switch (end) {
    case End::exited:
      return "exit code " + std::to_string(exit_code);
    case End::signaled:
      return "killed by signal " + signal_name(signal);
    case End::timed_out:
      return "timed out after " + format_seconds(timeout);
    case End::cancelled:
      return "cancelled";
    case End::spawn_failed:
      return "cannot start '" + program + "': " + error;
  }
  return "unknown end";
}

std::string signal_name(int sig) {
  if (const char* abbrev = ::sigabbrev_np(sig)) return std::string("SIG") + abbrev;
  if (sig >= SIGRTMIN && sig <= SIGRTMAX) return "SIGRTMIN+" + std::to_string(sig - SIGRTMIN);
  return "signal " + std::to_string(sig);
}

ProcessResult run_process(const ProcessOptions& options, const LineHandler& on_line) {
  ProcessResult result;
  result.end = ProcessResult::End::spawn_failed;
  result.timeout = options.timeout;
  if (options.argv.empty()) {
    result.error = "empty command";
    return result;
  }
  result.program = options.argv[0];

  std::vector<std::string> env;
  if (auto bad = build_environment(options.extra_env, env)) {
    result.error = "invalid environment entry '" + *bad + "' (expected NAME=value)";
    return result;
  }
  if (options.cancel_fd >= 0 && is_signalled(options.cancel_fd)) {
    result.end = ProcessResult::End::cancelled;
    return result;
  }

  std::array<OutputStream, 2> streams{OutputStream(false, on_line), OutputStream(true, on_line)};
  UniqueFd stdout_write;
  UniqueFd stderr_write;
  int err = make_pipe(streams[0].fd(), stdout_write);
  if (err == 0) err = make_pipe(streams[1].fd(), stderr_write);
  if (err != 0) {
    result.error = error_text(err);
    return result;
  }

  pid_t pid = 0;
  err = spawn(options, c_array(options.argv), c_array(env), stdout_write.get(), stderr_write.get(), pid);
  if (err != 0) {
    result.error = spawn_error_text(err, options.working_dir);
    return result;
  }
  const auto started = Clock::now();
  RunningCommand child(pid);
  stdout_write.reset();
  stderr_write.reset();

  // Without pidfd support, exit is noticed by polling every kExitPollTick.
  UniqueFd pidfd(open_pidfd(pid));
  std::optional<Clock::time_point> deadline;
  if (options.timeout.count() > 0) deadline = started + std::min(options.timeout, kMaxTimeout);

  enum class Source { output, cancel, exit };
  enum class Stop { exited, timed_out, cancelled };
  Stop stop = Stop::exited;
  std::string buffer(kReadSize, '\0');
  while (true) {
    std::array<pollfd, 4> fds{};
    std::array<Source, 4> sources{};
    std::array<OutputStream*, 4> owners{};
    nfds_t count = 0;
    auto watch = [&](int fd, Source source, OutputStream* owner) {
      fds[count] = pollfd{fd, POLLIN, 0};
      sources[count] = source;
      owners[count] = owner;
      ++count;
    };
    for (OutputStream& stream : streams) {
      if (stream.open()) watch(stream.fd().get(), Source::output, &stream);
    }
    if (options.cancel_fd >= 0) watch(options.cancel_fd, Source::cancel, nullptr);
    if (pidfd.valid()) watch(pidfd.get(), Source::exit, nullptr);

    int wait_ms = deadline ? ms_until(*deadline) : -1;
    if (!pidfd.valid()) {
      const int tick = static_cast<int>(kExitPollTick.count());
      wait_ms = wait_ms < 0 ? tick : std::min(wait_ms, tick);
    }
    const int ready = ::poll(fds.data(), count, wait_ms);
    if (ready < 0) {
      if (errno == EINTR) continue;
      throw std::system_error(errno, std::generic_category(), "poll");
    }

    bool cancelled = false;
    bool maybe_exited = !pidfd.valid();
    for (nfds_t i = 0; i < count; ++i) {
      if (fds[i].revents == 0) continue;
      switch (sources[i]) {
        case Source::output:
          owners[i]->read_available(buffer);
          break;
        case Source::cancel:
          cancelled = true;
          break;
        case Source::exit:
          maybe_exited = true;
          break;
      }
    }
    if (maybe_exited && child.has_exited()) {
      stop = Stop::exited;
      break;
    }
    if (cancelled) {
      stop = Stop::cancelled;
      break;
    }
    if (deadline && Clock::now() >= *deadline) {
      stop = Stop::timed_out;
      break;
    }
  }

  // The leader is dead or about to be, but stays unreaped until after the
  // drain, so the group id cannot be reused while we kill it.
  child.kill_group();
  drain(streams, Clock::now() + kDrainGrace, buffer);
  for (OutputStream& stream : streams) stream.close();
  const std::optional<int> status = child.reap(&result.usage);
  result.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);

  switch (stop) {
    case Stop::timed_out:
      result.end = ProcessResult::End::timed_out;
      break;
    case Stop::cancelled:
      result.end = ProcessResult::End::cancelled;
      break;
    case Stop::exited:
      if (status && WIFSIGNALED(*status)) {
        result.end = ProcessResult::End::signaled;
        result.signal = WTERMSIG(*status);
      } else {
        result.end = ProcessResult::End::exited;
        if (status && WIFEXITED(*status)) result.exit_code = WEXITSTATUS(*status);
      }
      break;
  }
  return result;
}

}  // namespace ramify
