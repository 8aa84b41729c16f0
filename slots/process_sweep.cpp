#include "slots/process_sweep.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <map>
#include <random>
#include <set>

namespace ramify {
namespace {

// An environment far bigger than this is not one a worker's command inherited
// (the kernel caps argv + environ at a quarter of the stack limit).
constexpr std::size_t kMaxEnvironment = 64 << 20;

// Called directly: glibc 2.36's <sys/pidfd.h> lacks extern "C" for C++.
int open_pidfd(pid_t pid) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)); }

bool kill_through(int pidfd, pid_t pid) {
  if (pidfd >= 0) return ::syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, nullptr, 0) == 0;
  return ::kill(pid, SIGKILL) == 0;
}

// True once the process a pidfd refers to has ended.
bool has_ended(int pidfd) {
  pollfd probe{pidfd, POLLIN, 0};
  return ::poll(&probe, 1, 0) > 0;
}

// The process's initial environment; empty when it cannot be read (gone,
// another user's, a kernel thread, a zombie, or in the middle of execve).
std::string read_environment(pid_t pid) {
  const std::string path = "/proc/" + std::to_string(pid) + "/environ";
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  std::string content;
  char buffer[16384];
  while (content.size() < kMaxEnvironment) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    content.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return content;
}

// A process whose environment reads empty: a kernel thread, a zombie, one
// started with an empty environment, or one caught between the two halves of
// execve. /proc/PID/exe tells a kernel thread (none) from the others.
bool is_user_process(pid_t pid) {
  char target[16];
  const std::string path = "/proc/" + std::to_string(pid) + "/exe";
  return ::readlink(path.c_str(), target, sizeof target) >= 0 || errno == EACCES;
}

}  // namespace

std::string make_worker_token() {
  std::random_device device;  // getrandom(2) in libstdc++
  static constexpr char kHex[] = "0123456789abcdef";
  std::string token;
  for (int word = 0; word < 4; ++word) {
    std::uint32_t bits = device();
    for (int digit = 0; digit < 8; ++digit, bits >>= 4) token.push_back(kHex[bits & 0xf]);
  }
  return token;
}

void mark_environment(const std::string& token) {
  const std::string own(kWorkerTokenVariable), outer(kOuterTokensVariable);
  const char* inherited = ::getenv(own.c_str());
  if (inherited != nullptr && *inherited != '\0') {
    const char* older = ::getenv(outer.c_str());
    const std::string chain = older != nullptr && *older != '\0' ? std::string(older) + ":" + inherited : inherited;
    ::setenv(outer.c_str(), chain.c_str(), 1);
  }
  ::setenv(own.c_str(), token.c_str(), 1);
}

bool environment_carries_token(std::string_view block, std::string_view token) {
  if (token.empty()) return false;
  const std::string own = std::string(kWorkerTokenVariable) + "=";
  const std::string outer = std::string(kOuterTokensVariable) + "=";
  while (!block.empty()) {
    const auto end = block.find('\0');
    std::string_view entry = block.substr(0, end);
    block.remove_prefix(end == std::string_view::npos ? block.size() : end + 1);
    if (entry.starts_with(own) && entry.substr(own.size()) == token) return true;
    if (!entry.starts_with(outer)) continue;
    entry.remove_prefix(outer.size());
    while (true) {
      const auto colon = entry.find(':');
      if (entry.substr(0, colon) == token) return true;
      if (colon == std::string_view::npos) break;
      entry.remove_prefix(colon + 1);
    }
  }
  return false;
}

std::size_t sweep_token(std::string_view token, int max_passes) {
  const pid_t self = ::getpid();
  std::map<pid_t, int> signalled;  // pid -> its pidfd (-1 without pidfd support)
  std::set<pid_t> unreadable;      // user processes whose environment read empty last pass
  std::size_t total = 0;
  for (int pass = 0; pass < max_passes; ++pass) {
    DIR* proc = ::opendir("/proc");
    if (proc == nullptr) break;
    std::size_t found = 0;
    bool newly_unreadable = false;
    std::set<pid_t> unreadable_now;
    while (const dirent* entry = ::readdir(proc)) {
      char* end = nullptr;
      const long number = std::strtol(entry->d_name, &end, 10);
      if (end == entry->d_name || *end != '\0' || number <= 0) continue;
      const auto pid = static_cast<pid_t>(number);
      if (pid == self) continue;
      if (auto it = signalled.find(pid); it != signalled.end()) {
        if (it->second < 0 || !has_ended(it->second)) continue;  // killed, still dying
        ::close(it->second);  // that one ended; this is a new process with its pid
        signalled.erase(it);
      }
      // Held from before its environment is read, so a kill cannot reach a
      // process that took over the pid in between.
      const int pidfd = open_pidfd(pid);
      if (pidfd < 0 && errno == ESRCH) continue;
      const std::string environment = read_environment(pid);
      if (environment.empty() && is_user_process(pid)) {
        unreadable_now.insert(pid);
        if (!unreadable.count(pid)) newly_unreadable = true;
      }
      if (!environment_carries_token(environment, token) || !kill_through(pidfd, pid)) {
        if (pidfd >= 0) ::close(pidfd);
        continue;
      }
      signalled[pid] = pidfd;
      ++found;
    }
    ::closedir(proc);
    total += found;
    // Done when nothing new carries the token, and no process that read empty
    // this time read otherwise before (one caught inside execve is read again).
    if (found == 0 && !newly_unreadable) break;
    unreadable = std::move(unreadable_now);
  }
  for (const auto& [pid, pidfd] : signalled)
    if (pidfd >= 0) ::close(pidfd);
  return total;
}

}  // namespace ramify
