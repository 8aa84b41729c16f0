#pragma once
// The fork server: a process forked from the worker before the worker creates
// any ZMQ context or thread. It stays single-threaded and holds no socket but
// its control channel; every slot process (isolation = process) is forked
// from it, so no slot ever inherits a context, a thread or a connection.
//
// It is also what makes sure no command outlives its worker. The contract:
//
// - start() gives the worker process a random token and sets
//   RAMIFY_WORKER_TOKEN=<token> in its environment (setenv) before it forks
//   the server. Every process the worker, the server or a slot process starts
//   from then on inherits it, and so do their children, grandchildren and
//   setsid escapees: it is in their initial environment, /proc/PID/environ.
//   The worker, the server and the slot processes are never exec'ed, so their
//   own /proc/PID/environ does not show it; neither does any process that
//   does not descend from the worker (the broker, the sink, whatever started
//   the worker). A worker started by a command of another worker (nested)
//   gets a token of its own and keeps the outer ones in
//   RAMIFY_WORKER_OUTER_TOKENS (see process_sweep.hpp).
// - When the worker goes away, the server sweeps. The trigger is the end of
//   file on its control channel, which comes both when the worker exits
//   (~ForkServer) and when it dies, even by SIGKILL; SIGHUP (its parent
//   death signal) does the same; SIGINT and SIGTERM are the worker's to act
//   on (a drain keeps the slot processes working). The server kills its
//   slot processes, then SIGKILLs every process but itself whose
//   /proc/PID/environ carries the token, pass after pass until one finds
//   nothing new (at most 20), reaps its children and exits. ~ForkServer
//   returns after that, so a worker that ends normally leaves nothing behind.
// - So a command the worker started (in a thread slot or a slot process) and
//   everything it started lives at most as long as the worker, setsid or not.
//   Its process group is still killed as soon as the command ends, on timeout
//   and on cancel (process_runner.hpp); the sweep catches what escaped the
//   group, when the worker ends. What it cannot catch: a process that clears
//   or rewrites its initial environment and then execs (env -i, a daemon
//   overwriting its environ area), or one the server may not signal or read
//   (another user's, when the worker is not privileged).
// - A process that is not a `ramify worker` must not call start(): it would
//   mark its own later children for the sweep.

#include <sys/types.h>

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>

namespace ramify {

class ForkServer {
 public:
  // Sets the worker's token in this process's environment and forks the
  // server. Call it first thing in the worker process, before any thread or
  // ZMQ context exists (setenv is not thread-safe). Throws std::runtime_error.
  static std::unique_ptr<ForkServer> start();
  // Closes the control channel and waits for the server, which kills its slot
  // processes, sweeps the token's processes and exits.
  ~ForkServer();
  ForkServer(const ForkServer&) = delete;
  ForkServer& operator=(const ForkServer&) = delete;

  // Forks a slot process that runs slot_child_main(channel_fd, progress_fd).
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
