#pragma once
// The subcommands of `ramify`. Each returns the process's exit status:
// 0 success, 1 the run failed, 2 a usage or configuration error.

#include <string>
#include <vector>

namespace ramify {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitUsage = 2;

using Arguments = std::vector<std::string>;

int run_command(const Arguments& args);
int plan_command(const Arguments& args);
int slurm_command(const Arguments& args);
int broker_command(const Arguments& args);
int worker_command(const Arguments& args);
int sink_command(const Arguments& args);
int tail_command(const Arguments& args);
int status_command(const Arguments& args);
int keygen_command(const Arguments& args);
int report_command(const Arguments& args);

// Installs SIGINT/SIGTERM handlers that call `stop` (async-signal-safe) with
// the signal's number, on every signal; SIGPIPE is ignored.
void on_stop_signal(void (*stop)(int signal));

}  // namespace ramify
