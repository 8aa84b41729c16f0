#include "cli/daemon_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace ramify {

DaemonProcess::DaemonProcess(std::vector<std::string> argv, const std::string& stdout_path,
                           const std::string& stderr_path, bool own_group)
    : name_(argv.size() > 1 ? argv[1] : argv.front()) {
  spawn(std::move(argv), stdout_path, stderr_path, ChildOutput{}, own_group);
}

DaemonProcess::DaemonProcess(std::vector<std::string> argv, ChildOutput output, bool own_group)
    : name_(argv.size() > 1 ? argv[1] : argv.front()) {
  spawn(std::move(argv), {}, {}, output, own_group);
}

void DaemonProcess::spawn(std::vector<std::string> argv, const std::string& stdout_path,
                         const std::string& stderr_path, ChildOutput output, bool own_group) {
  std::vector<char*> pointers;
  for (auto& arg : argv) pointers.push_back(arg.data());
  pointers.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  const int flags = O_WRONLY | O_CREAT | O_APPEND;
  if (!stdout_path.empty()) posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, stdout_path.c_str(), flags, 0644);
  if (!stderr_path.empty()) posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, stderr_path.c_str(), flags, 0644);
  if (output.out >= 0) posix_spawn_file_actions_adddup2(&actions, output.out, STDOUT_FILENO);
  if (output.err >= 0) posix_spawn_file_actions_adddup2(&actions, output.err, STDERR_FILENO);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  if (own_group) {
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attributes, 0);
  }
  int rc = posix_spawn(&pid_, argv.front().c_str(), &actions, &attributes, pointers.data(), environ);
  posix_spawnattr_destroy(&attributes);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("cannot start " + argv.front() + ": " + std::strerror(rc));
}

DaemonProcess::DaemonProcess(DaemonProcess&& other) noexcept
    : pid_(other.pid_), name_(std::move(other.name_)), status_(other.status_) {
  other.pid_ = -1;
}

DaemonProcess::~DaemonProcess() {
  if (pid_ > 0 && !status_) {
    kill(pid_, SIGKILL);
    int raw = 0;
    waitpid(pid_, &raw, 0);
  }
}

std::optional<int> DaemonProcess::poll() {
  if (status_ || pid_ <= 0) return status_;
  int raw = 0;
  pid_t r = waitpid(pid_, &raw, WNOHANG);
  if (r == pid_) {
    status_ = WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + WTERMSIG(raw);
  } else if (r < 0 && errno == ECHILD) {
    status_ = 1;
  }
  return status_;
}

std::optional<int> DaemonProcess::wait_for(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!poll() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  return status_;
}

void DaemonProcess::signal(int sig) {
  if (pid_ > 0 && !status_) kill(pid_, sig);
}

void stop_with_parent() {
  const char* value = std::getenv(kStopWithParentVariable);
  if (!value) return;
  const pid_t parent = static_cast<pid_t>(std::strtol(value, nullptr, 10));
  unsetenv(kStopWithParentVariable);
  prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (getppid() != parent) raise(SIGTERM);  // the parent died before the request
}

std::string self_executable() {
  char path[4096];
  ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
  if (n <= 0) throw std::runtime_error("cannot find the ramify executable");
  return std::string(path, static_cast<std::size_t>(n));
}

}  // namespace ramify
