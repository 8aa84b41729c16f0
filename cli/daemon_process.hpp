#pragma once
// Child processes of `ramify run`: the same binary started as a daemon.

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace ramify {

// Descriptors a child gets as its standard output and error (-1: the parent's own).
struct ChildOutput {
  int out = -1;
  int err = -1;
};

class DaemonProcess {
 public:
  // Starts `argv` (argv[0] is an executable path), its standard output and
  // error to the given files when not empty; with `own_group`, as the leader
  // of a new process group (a terminal's Ctrl-C then reaches only its parent).
  // Throws std::runtime_error.
  explicit DaemonProcess(std::vector<std::string> argv, const std::string& stdout_path = {},
                        const std::string& stderr_path = {}, bool own_group = false);
  // The same, its standard output and error on the given descriptors (pipes, say).
  DaemonProcess(std::vector<std::string> argv, ChildOutput output, bool own_group);
  DaemonProcess(DaemonProcess&& other) noexcept;
  DaemonProcess& operator=(DaemonProcess&&) = delete;
  ~DaemonProcess();  // kills and reaps a child that is still running

  // The exit status once it exited (128 + signal when killed by one), nullopt while running.
  std::optional<int> poll();
  // Waits until it exits or `timeout` passes.
  std::optional<int> wait_for(std::chrono::milliseconds timeout);
  void signal(int sig);
  pid_t pid() const { return pid_; }
  const std::string& name() const { return name_; }

 private:
  void spawn(std::vector<std::string> argv, const std::string& stdout_path, const std::string& stderr_path,
             ChildOutput output, bool own_group);

  pid_t pid_ = -1;
  std::string name_;
  std::optional<int> status_;
};

// The path of the running executable.
std::string self_executable();

// Children started while this is set (by `ramify run`) get SIGTERM when their
// parent dies, whatever kills it: see stop_with_parent().
inline constexpr const char* kStopWithParentVariable = "RAMIFY_STOP_WITH_PARENT";
// In a daemon started by `ramify run`: asks the kernel for SIGTERM when the
// parent named by RAMIFY_STOP_WITH_PARENT dies (at once if it already did),
// and removes the variable, so that nothing this process starts inherits it.
void stop_with_parent();

// The token `ramify broker --http` requires (a secret: passed in the environment, never in argv).
inline constexpr const char* kHttpTokenVariable = "RAMIFY_HTTP_TOKEN";

}  // namespace ramify
