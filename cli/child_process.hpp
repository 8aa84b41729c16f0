#pragma once
// Child processes of `ramify run`: the same binary started as a daemon.

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace ramify {

class ChildProcess {
 public:
  // Starts `argv` (argv[0] is an executable path), its standard output and
  // error to the given files when not empty. Throws std::runtime_error.
  explicit ChildProcess(std::vector<std::string> argv, const std::string& stdout_path = {},
                        const std::string& stderr_path = {});
  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&&) = delete;
  ~ChildProcess();  // kills and reaps a child that is still running

  // The exit status once it exited (128 + signal when killed by one), nullopt while running.
  std::optional<int> poll();
  // Waits until it exits or `timeout` passes.
  std::optional<int> wait_for(std::chrono::milliseconds timeout);
  void signal(int sig);
  pid_t pid() const { return pid_; }
  const std::string& name() const { return name_; }

 private:
  pid_t pid_ = -1;
  std::string name_;
  std::optional<int> status_;
};

// The path of the running executable.
std::string self_executable();

}  // namespace ramify
