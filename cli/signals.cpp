#include <csignal>

#include "cli/commands.hpp"

namespace ramify {
namespace {
void (*g_stop)(int) = nullptr;
extern "C" void handle_stop_signal(int signal) {
  if (g_stop) g_stop(signal);
}
}  // namespace

void on_stop_signal(void (*stop)(int signal)) {
  g_stop = stop;
  struct sigaction action {};
  action.sa_handler = handle_stop_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
}

}  // namespace ramify
