#pragma once
// A ramify daemon (or `ramify run`) in the background of a test, its output
// in files, with waits that have deadlines.

#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "cli/daemon_process.hpp"
#include "support/ramify_binary.hpp"

namespace ramify::testing {

class Background {
 public:
  // Starts `ramify args...`; output goes to DIR/NAME.out and DIR/NAME.err.
  // With `own_group`, it leads a process group of its own, as a command
  // started from a shell does (signal_group() then reaches it and its children).
  Background(const std::string& dir, const std::string& name, std::vector<std::string> args, bool own_group = false)
      : out_(dir + "/" + name + ".out"),
        err_(dir + "/" + name + ".err"),
        process_(argv(std::move(args)), out_, err_, own_group) {}

  std::optional<int> wait_for(std::chrono::milliseconds timeout) { return process_.wait_for(timeout); }
  std::optional<int> poll() { return process_.poll(); }
  void signal(int sig) { process_.signal(sig); }
  // Signals its whole process group, as a terminal's Ctrl-C does (own_group only).
  void signal_group(int sig) {
    if (!process_.poll()) ::kill(-process_.pid(), sig);
  }
  pid_t pid() const { return process_.pid(); }
  std::string out() const { return read(out_); }
  std::string err() const { return read(err_); }

 private:
  static std::vector<std::string> argv(std::vector<std::string> args) {
    args.insert(args.begin(), ramify_binary());
    return args;
  }
  static std::string read(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  std::string out_, err_;
  DaemonProcess process_;
};

// Polls `condition` every 10 ms until it holds or `timeout` passes.
inline bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return condition();
}

// Number of files in a folder.
inline std::size_t count_files(const std::string& dir) {
  std::error_code ec;
  std::size_t n = 0;
  for (auto it = std::filesystem::directory_iterator(dir, ec); !ec && it != std::filesystem::directory_iterator(); ++it) ++n;
  return n;
}

}  // namespace ramify::testing
