#pragma once
// The fork server: a process forked from the worker before the worker creates
// any ZMQ context or thread. It stays single-threaded and holds no socket but
// its control channel; every slot process (isolation = process) is forked
// from it, so no slot ever inherits a context, a thread or a connection.
// When the worker dies, the fork server and its slot processes die with it.

#include <sys/types.h>

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>

namespace ramify {

class ForkServer {
 public:
  // Forks the server. Call it first thing in the worker process, before any
  // thread or ZMQ context exists. Throws std::runtime_error.
  static std::unique_ptr<ForkServer> start();
  ~ForkServer();  // the server kills its slot processes and exits
  ForkServer(const ForkServer&) = delete;
  ForkServer& operator=(const ForkServer&) = delete;

  // Forks a slot process that runs slot_process_main(channel_fd, progress_fd).
  // Thread-safe. Throws std::runtime_error when the server is gone.
  pid_t spawn(int channel_fd, int progress_fd);
  // The wait status of a slot process once it ended, or nullopt after `timeout`.
  std::optional<int> wait_status(pid_t pid, std::chrono::milliseconds timeout);
  pid_t pid() const { return server_pid_; }

 private:
  ForkServer(int control_fd, pid_t server_pid) : control_fd_(control_fd), server_pid_(server_pid) {}
  // Reads what the server sent, for up to `timeout`: spawn replies and exits.
  void pump(std::chrono::milliseconds timeout);

  int control_fd_;
  pid_t server_pid_;
  std::mutex mutex_;
  std::optional<pid_t> spawned_;
  std::map<pid_t, int> exited_;
};

}  // namespace ramify
