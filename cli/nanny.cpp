#include "cli/nanny.hpp"

#include <signal.h>

#include <atomic>
#include <thread>

#include "cli/daemon_process.hpp"
#include "util/logging.hpp"

namespace ramify {
namespace {
std::atomic<bool> g_nanny_stop{false};
}  // namespace

int run_nanny(const Arguments& worker_args) {
  auto log = logger("nanny");
  on_stop_signal([](int) { g_nanny_stop = true; });
  std::vector<std::string> argv{self_executable(), "worker"};
  argv.insert(argv.end(), worker_args.begin(), worker_args.end());
  auto backoff = std::chrono::milliseconds(500);
  int restarts = 0;
  while (true) {
    const auto started = std::chrono::steady_clock::now();
    DaemonProcess worker(argv);
    log->info("started worker process {}{}", worker.pid(),
              restarts ? " (restart " + std::to_string(restarts) + ")" : "");
    std::optional<int> status;
    bool forwarded = false;
    while (!(status = worker.poll())) {
      if (g_nanny_stop && !forwarded) {
        worker.signal(SIGTERM);
        forwarded = true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (g_nanny_stop) return *status;
    if (*status >= 0 && *status <= 3) {
      log->info("the worker ended with status {}; not restarting it", *status);
      return *status;
    }
    if (std::chrono::steady_clock::now() - started > std::chrono::minutes(1)) backoff = std::chrono::milliseconds(500);
    log->warn("the worker process {} died ({}); restarting it in {} ms", worker.pid(),
              *status > 128 ? "signal " + std::to_string(*status - 128) : "status " + std::to_string(*status),
              backoff.count());
    const auto resume = std::chrono::steady_clock::now() + backoff;
    while (std::chrono::steady_clock::now() < resume && !g_nanny_stop)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    if (g_nanny_stop) return 1;
    backoff = std::min(backoff * 2, std::chrono::milliseconds(30000));
    ++restarts;
  }
}

}  // namespace ramify
